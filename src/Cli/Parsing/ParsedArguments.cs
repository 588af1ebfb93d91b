namespace GenRay.Cli.Parsing;

/// <summary>
/// A command's arguments split into options and positionals, checked against what the command accepts. Options are
/// written <c>--name value</c> or <c>--name=value</c>; a value may start with one dash (so <c>--num-cpus -1</c>
/// reaches the check that says negative amounts are wrong) but not with two (so a forgotten value is caught).
/// </summary>
internal sealed class ParsedArguments
{
    private readonly string _command;
    private readonly Dictionary<string, string?> _options = new(StringComparer.Ordinal);

    private ParsedArguments(string command, List<string> positionals)
    {
        _command = command;
        Positionals = positionals;
    }

    public IReadOnlyList<string> Positionals { get; }

    public static ParsedArguments Parse(
        string command, IReadOnlyList<string> args, IReadOnlySet<string> flags, IReadOnlySet<string> valued, int maxPositionals = 0)
    {
        var parsed = new ParsedArguments(command, []);
        var positionals = (List<string>)parsed.Positionals;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg == "--")
            {
                if (positionals.Count == maxPositionals)
                {
                    throw new UsageException($"genray {command}: unexpected argument '{arg}'.");
                }
                positionals.Add(arg);
                continue;
            }

            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? arg : arg[..equals];
            string? value;
            if (flags.Contains(name))
            {
                if (equals >= 0)
                {
                    throw new UsageException($"genray {command}: {name} takes no value.");
                }
                value = null;
            }
            else if (valued.Contains(name))
            {
                if (equals >= 0)
                {
                    value = arg[(equals + 1)..];
                }
                else if (i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    value = args[++i];
                }
                else
                {
                    throw new UsageException($"genray {command}: {name} needs a value.");
                }
                if (value.Length == 0)
                {
                    throw new UsageException($"genray {command}: {name} needs a value.");
                }
            }
            else
            {
                throw new UsageException($"genray {command}: unknown option '{name}'.");
            }

            if (!parsed._options.TryAdd(name, value))
            {
                throw new UsageException($"genray {command}: {name} is given twice.");
            }
        }
        return parsed;
    }

    public bool Has(string name) => _options.ContainsKey(name);

    public string? Value(string name) => _options.GetValueOrDefault(name);

    public int? Int(string name, int min, int max)
    {
        if (Value(name) is not { } text)
        {
            return null;
        }
        if (!int.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var value)
            || value < min || value > max)
        {
            throw new UsageException($"genray {_command}: {name} must be a whole number from {min} to {max}, not '{text}'.");
        }
        return value;
    }

    /// <summary><c>--address</c>, checked to be <c>HOST:PORT</c>.</summary>
    public string? Address(string command) => Value("--address") is { } address ? HostPort.Check(address, $"genray {command}: --address") : null;

    public double? Amount(string name) => Value(name) is { } text ? ResourceSyntax.ParseAmount(text, $"genray {_command}: {name}") : null;
}
