import ArgumentParser

@main
struct FSCtl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fsctl", abstract: "Drive a FeatureStore store from the shell.")
}
