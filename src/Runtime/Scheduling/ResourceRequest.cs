namespace GenRay.Scheduling;

/// <summary>
/// What one task or actor holds while it runs, in fixed-point units (1 CPU = 10,000 units, as Ray counts,
/// so fractional requests add up exactly). Resolved once per method and node, not per call.
/// </summary>
internal sealed class ResourceRequest
{
    public const long UnitsPerWhole = 10_000;

    public static readonly ResourceRequest None = new(0, []);

    public ResourceRequest(long cpuUnits, (int Index, long Units)[] custom)
    {
        CpuUnits = cpuUnits;
        Custom = custom;
    }

    public long CpuUnits { get; }

    /// <summary>Custom resources by their index in <see cref="NodeResources"/>.</summary>
    public (int Index, long Units)[] Custom { get; }

    public bool IsEmpty => CpuUnits == 0 && Custom.Length == 0;

    public static long ToUnits(double amount) => (long)Math.Round(amount * UnitsPerWhole);

    public static double FromUnits(long units) => (double)units / UnitsPerWhole;
}
