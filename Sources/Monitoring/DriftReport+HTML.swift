/// `fsctl drift --html`: one self-contained page (inline CSS and SVG, no
/// script, no network) with, per feature, the reference and current
/// distributions overlaid, the statistic, the threshold and the verdict.
extension DriftReport {
    /// The bars of one feature's chart: labels and the share of each window per bucket.
    struct Chart {
        var labels: [String]
        var reference: [Double]
        var current: [Double]
    }

    /// The page. `title` is shown as the heading (escaped).
    public func html(title: String) -> String {
        let d = result
        var page = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>\(Self.escape(title))</title>
            <style>
            body{font-family:system-ui,sans-serif;margin:2em;color:#222;background:#fafafa}
            h1{font-size:1.4em}.summary{font-size:1.1em;padding:.6em 1em;border-radius:6px;display:inline-block}
            .drift{background:#fde2e1;color:#8a1c16}.ok{background:#e3f4e4;color:#1d5e22}
            .grid{display:flex;flex-wrap:wrap;gap:1em;margin-top:1em}
            .card{background:#fff;border:1px solid #ddd;border-radius:6px;padding:.8em;width:520px}
            .card h2{font-size:1.05em;margin:.1em 0 .4em}.verdict{float:right;font-weight:600}
            .meta{font-size:.85em;color:#555;margin-bottom:.4em}.legend span{display:inline-block;width:.8em;height:.8em;margin:0 .3em 0 .8em}
            </style></head><body>
            <h1>\(Self.escape(title))</h1>
            <p class="summary \(d.drifted ? "drift" : "ok")">\(d.driftedCount) of \(d.features.count) features drifted: \(d.drifted ? "dataset drift" : "no dataset drift") (threshold: \(Self.number(d.share * 100))% of features)</p>
            <p class="meta">reference: \(referenceEvents) events · current: \(currentEvents) events
            <span class="legend"><span style="background:#3b6fb6"></span>reference<span style="background:#e8833a"></span>current</span></p>
            <div class="grid">

            """
        for (i, f) in d.features.enumerated() {
            let chart = Self.chart(samples[i].reference, samples[i].current)
            let rule = f.method.isPValue ? "p-value" : "distance"
            page += """
                <div class="card"><h2>\(Self.escape(f.feature))<span class="verdict" style="color:\(f.drifted ? "#b3261e" : "#2e7d32")">\(f.drifted ? "DRIFT" : "no drift")</span></h2>
                <div class="meta">\(f.method.rawValue) \(rule) \(Self.number(f.statistic)), threshold \(Self.number(f.threshold)) · n = \(f.referenceCount) / \(f.currentCount)</div>
                \(Self.svg(chart))
                </div>

                """
        }
        page += "</div></body></html>\n"
        return page
    }

    /// Buckets for the chart: numbers with more than 20 distinct values in
    /// Sturges bins over both windows; otherwise the 30 most frequent values.
    static func chart(_ reference: FeatureSample, _ current: FeatureSample) -> Chart {
        if case .numeric(let r) = reference, case .numeric(let c) = current,
           FeatureSample.distinctCount(reference, .numeric([]), cappedAt: 20) > 20 {
            var edges = Binning.sturgesEdges(r, c)
            if edges.count > 61 {
                // Very large samples: 60 equal bins are enough to see a shape.
                let lo = edges[0], hi = edges[edges.count - 1]
                edges = (0...60).map { lo + Double($0) * (hi - lo) / 60 }
            }
            let a = Binning.histogram(r, edges).map { $0 / Double(r.count) }
            let b = Binning.histogram(c, edges).map { $0 / Double(c.count) }
            return Chart(labels: edges.dropLast().map { number($0) }, reference: a, current: b)
        }
        var counts: [String: (Double, Double)] = [:]
        func key(_ s: FeatureSample) -> [String] {
            switch s {
            case .numeric(let v): v.map { number($0) }
            case .categorical(let v): v
            }
        }
        for k in key(reference) { counts[k, default: (0, 0)].0 += 1 }
        for k in key(current) { counts[k, default: (0, 0)].1 += 1 }
        let top = counts.sorted { ($0.value.0 + $0.value.1, $1.key) > ($1.value.0 + $1.value.1, $0.key) }.prefix(30)
        return Chart(labels: top.map(\.key), reference: top.map { $0.value.0 / Double(reference.count) },
                     current: top.map { $0.value.1 / Double(current.count) })
    }

    /// Overlaid bars, reference blue and current orange, half transparent.
    static func svg(_ chart: Chart) -> String {
        let w = 500.0, h = 180.0, left = 40.0, bottom = 30.0
        let n = max(chart.labels.count, 1)
        let top = max(chart.reference.max() ?? 0, chart.current.max() ?? 0, 1e-12)
        let bw = (w - left) / Double(n)
        var s = "<svg width=\"\(Int(w))\" height=\"\(Int(h))\" viewBox=\"0 0 \(Int(w)) \(Int(h))\" role=\"img\">"
        s += "<line x1=\"\(left)\" y1=\"\(h - bottom)\" x2=\"\(w)\" y2=\"\(h - bottom)\" stroke=\"#888\"/>"
        s += "<text x=\"2\" y=\"12\" font-size=\"10\" fill=\"#555\">\(number(top * 100))%</text>"
        for (series, color) in [(chart.reference, "#3b6fb6"), (chart.current, "#e8833a")] {
            for (i, v) in series.enumerated() {
                let bh = (h - bottom - 10) * v / top
                s += "<rect x=\(q(left + Double(i) * bw + 1)) y=\(q(h - bottom - bh)) width=\(q(max(bw - 2, 1))) height=\(q(bh)) fill=\"\(color)\" fill-opacity=\"0.55\"><title>\(escape(chart.labels[i])): \(number(v * 100))%</title></rect>"
            }
        }
        let step = max(1, n / 6)
        for i in stride(from: 0, to: chart.labels.count, by: step) {
            s += "<text x=\(q(left + Double(i) * bw + 1)) y=\(q(h - bottom + 14)) font-size=\"10\" fill=\"#555\">\(escape(chart.labels[i]))</text>"
        }
        return s + "</svg>"
    }

    private static func q(_ x: Double) -> String { "\"" + String((x * 10).rounded() / 10) + "\"" }

    /// Six decimals at most, trailing zeros dropped; tiny values in Swift's shortest form.
    static func number(_ x: Double) -> String {
        guard x.isFinite else { return String(x) }
        if x != 0 && abs(x) < 1e-4 { return String(x) }
        let r = (x * 1e6).rounded() / 1e6
        return r == r.rounded() && abs(r) < 1e15 ? String(Int(r)) : String(r)
    }

    /// HTML text escaping.
    static func escape(_ text: String) -> String {
        var out = ""
        for ch in text {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(ch)
            }
        }
        return out
    }
}
