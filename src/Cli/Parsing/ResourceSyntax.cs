using System.Globalization;

namespace GenRay.Cli.Parsing;

/// <summary><c>--resources name=amount,…</c>: custom resources a node offers, as Ray's <c>--resources</c> (without the JSON).</summary>
internal static class ResourceSyntax
{
    public static Dictionary<string, double> Parse(string text)
    {
        var resources = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var part in text.Split(','))
        {
            var pair = part.Trim();
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new UsageException($"genray start: --resources takes name=amount pairs separated by commas (gpu=1,disk=2), not '{pair}'.");
            }
            var name = pair[..equals].Trim();
            // CPUs have their own option; a custom "cpu" beside it would be a second, unrelated count.
            if (name.Equals("CPU", StringComparison.OrdinalIgnoreCase))
            {
                throw new UsageException("genray start: give CPUs with --num-cpus, not in --resources.");
            }
            var amount = ParseAmount(pair[(equals + 1)..].Trim(), $"genray start: --resources {name}");
            if (!resources.TryAdd(name, amount))
            {
                throw new UsageException($"genray start: --resources names {name} twice.");
            }
        }
        return resources;
    }

    public static double ParseAmount(string text, string what)
    {
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var amount) || !double.IsFinite(amount))
        {
            throw new UsageException($"{what}: '{text}' is not a number.");
        }
        if (amount < 0)
        {
            throw new UsageException($"{what}: amounts cannot be negative ({text}).");
        }
        return amount;
    }
}
