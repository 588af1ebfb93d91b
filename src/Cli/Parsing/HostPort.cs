using System.Globalization;

namespace GenRay.Cli.Parsing;

/// <summary>Checks a <c>HOST:PORT</c> address (<c>[::1]:6380</c> for IPv6) before it reaches a connection attempt.</summary>
internal static class HostPort
{
    public static bool IsValid(string address)
    {
        var colon = address.LastIndexOf(':');
        var host = colon > 0 ? address[..colon] : "";
        var port = colon > 0 ? address[(colon + 1)..] : "";
        var bracketsBalanced = host.StartsWith('[') == host.EndsWith(']');
        return host.Length > 0 && bracketsBalanced && (!host.Contains(':', StringComparison.Ordinal) || host.StartsWith('['))
            && int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number is >= 1 and <= 65535;
    }

    public static string Problem(string address, string what) => $"{what}: '{address}' is not HOST:PORT (e.g. 10.0.0.5:6380).";

    /// <summary>The address, or a usage error naming <paramref name="what"/> (the option it came from).</summary>
    public static string Check(string address, string what) => IsValid(address) ? address : throw new UsageException(Problem(address, what));
}
