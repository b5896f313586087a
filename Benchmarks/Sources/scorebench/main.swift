// scorebench: end-to-end Scorer latency (features read from a 1M-entity
// store + an XGBoost model scored) — see ScoreBench.swift and
// tools/score_bench/run.sh. Hot loops live in ScoreBench.swift, not here.
import Foundation

exit(ScoreBench.main(Array(CommandLine.arguments.dropFirst())))
