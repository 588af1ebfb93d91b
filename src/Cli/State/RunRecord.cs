using System.Text.Json.Serialization;

namespace GenRay.Cli.State;

/// <summary>
/// A daemon this machine's <c>genray start</c> started, as it wrote itself down once serving
/// (<c>run/&lt;pid&gt;.json</c>). <see cref="ProcessStart"/> tells this process from a later one given the same pid.
/// </summary>
internal sealed record RunRecord(
    int Pid,
    string Role,
    string Address,
    string? HeadAddress,
    DateTimeOffset Started,
    string? Log,
    string? ProcessStart)
{
    [JsonIgnore]
    public bool IsHead => Role == "head";
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(RunRecord))]
internal sealed partial class RunRecordJson : JsonSerializerContext;
