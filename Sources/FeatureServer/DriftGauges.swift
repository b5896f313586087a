import FeatureStore

/// The latest drift results (`fsctl drift`, recorded in the store's
/// `drift_results`) as Prometheus gauges, appended to `GET /metrics`:
///
/// ```text
/// fs_drift_statistic{kind="table",subject="user_stats",feature="age",method="wasserstein"} 0.131
/// fs_drift_threshold{kind="table",subject="user_stats",feature="age",method="wasserstein"} 0.1
/// fs_drift_detected{kind="table",subject="user_stats",feature="age",method="wasserstein"} 1
/// fs_dataset_drift{kind="table",subject="user_stats"} 1
/// fs_drift_checked_timestamp_seconds{kind="table",subject="user_stats"} 1763337600.123456
/// ```
///
/// Read at scrape time, in one read transaction; a store without results adds nothing.
enum DriftGauges {
    /// The exposition text of every recorded result; empty when there is none
    /// or the results cannot be read (a scrape never fails over them).
    static func exposition(store: Store) -> [UInt8] {
        guard let records = try? store.driftResults(), !records.isEmpty else { return [] }
        return Array(render(records).utf8)
    }

    /// The gauges of `records`, each metric with its HELP and TYPE lines.
    static func render(_ records: [DriftResultRecord]) -> String {
        var statistic = "", threshold = "", detected = "", dataset = "", checked = ""
        for r in records {
            let subject = "kind=\"\(r.kind.rawValue)\",subject=\"\(escape(r.subject))\""
            for f in r.features {
                let labels = "{\(subject),feature=\"\(escape(f.feature))\",method=\"\(escape(f.method))\"}"
                statistic += "fs_drift_statistic\(labels) \(number(f.statistic))\n"
                threshold += "fs_drift_threshold\(labels) \(number(f.threshold))\n"
                detected += "fs_drift_detected\(labels) \(f.drifted ? 1 : 0)\n"
            }
            dataset += "fs_dataset_drift{\(subject)} \(r.datasetDrift ? 1 : 0)\n"
            checked += "fs_drift_checked_timestamp_seconds{\(subject)} \(seconds(r.checkedAtMicros))\n"
        }
        return """
            # HELP fs_drift_statistic Latest drift statistic per feature (fsctl drift): a p-value for ks, chisquare and z, else a distance.
            # TYPE fs_drift_statistic gauge
            \(statistic)# HELP fs_drift_threshold Threshold the latest drift statistic was compared with.
            # TYPE fs_drift_threshold gauge
            \(threshold)# HELP fs_drift_detected 1 when the feature drifted in the latest check, else 0.
            # TYPE fs_drift_detected gauge
            \(detected)# HELP fs_dataset_drift 1 when at least the drift share of features drifted in the latest check, else 0.
            # TYPE fs_dataset_drift gauge
            \(dataset)# HELP fs_drift_checked_timestamp_seconds When the latest drift check ran (Unix seconds).
            # TYPE fs_drift_checked_timestamp_seconds gauge
            \(checked)
            """
    }

    /// A label value with `\`, `"` and newlines escaped (Prometheus text format).
    static func escape(_ s: String) -> String {
        var out = ""
        for ch in s {
            switch ch {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(ch)
            }
        }
        return out
    }

    /// A sample value: `NaN`, `+Inf`, `-Inf`, else Swift's shortest round-trip form.
    static func number(_ x: Double) -> String {
        if x.isNaN { return "NaN" }
        if x.isInfinite { return x > 0 ? "+Inf" : "-Inf" }
        return String(x)
    }

    /// UTC µs as seconds with six decimals.
    static func seconds(_ micros: Int64) -> String {
        let s = micros / 1_000_000, f = abs(micros % 1_000_000)
        let frac = String(f)
        return (micros < 0 && s == 0 ? "-" : "") + "\(s)." + String(repeating: "0", count: 6 - frac.count) + frac
    }
}
