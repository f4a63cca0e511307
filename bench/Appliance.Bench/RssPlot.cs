using ScottPlot;

namespace Appliance.Bench;

/// <summary>RSS (and peak RSS) of the appliance over time, as a PNG.</summary>
internal static class RssPlot
{
    public static void Save(string path, IReadOnlyList<(double Minutes, double Rss, double Peak)> points, string title)
    {
        if (points.Count == 0) return;
        var plot = new Plot();
        var minutes = points.Select(p => p.Minutes).ToArray();
        var rss = plot.Add.Scatter(minutes, points.Select(p => p.Rss).ToArray());
        rss.LegendText = "RSS (VmRSS)";
        rss.MarkerSize = 3;
        var peak = plot.Add.Scatter(minutes, points.Select(p => p.Peak).ToArray());
        peak.LegendText = "peak RSS (VmHWM)";
        peak.MarkerSize = 0;
        peak.LinePattern = LinePattern.Dashed;
        plot.Title(title);
        plot.XLabel("minutes");
        plot.YLabel("MB");
        plot.Axes.SetLimitsY(0, points.Max(p => p.Peak) * 1.15);
        plot.ShowLegend(Alignment.LowerRight);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        plot.SavePng(path, 900, 500);
    }
}
