namespace GenRay.Tests.Serialization;

public enum Color : byte { Red = 1, Green = 2, Blue = 3 }

/// <summary>A positional record: rebuilt through its constructor.</summary>
public sealed record Job(string Name, int Priority, List<string> Tags);

/// <summary>A class with settable members and a parameterless constructor.</summary>
public sealed class Settings
{
    public string? Title { get; set; }
    public double Ratio { get; set; }
    public Color Color { get; init; }
    public int[] Counts = [];
    public Dictionary<string, Job> Jobs { get; set; } = [];
    public int Computed => Counts.Length; // get-only: not sent, recomputed on the other side
}

/// <summary>A struct with a constructor bound to its members.</summary>
public readonly struct Point(int x, int y)
{
    public int X { get; } = x;
    public int Y { get; } = y;
}

/// <summary>Refs and handles nested in a value.</summary>
public sealed record Envelope(ObjectRef<int> Payload, ActorHandle<Store> Store, List<ObjectRef<string>> More);

/// <summary>A class others may derive from: a derived instance is refused, not silently truncated.</summary>
public class Animal
{
    public string Name { get; set; } = "";
}

public sealed class Dog : Animal
{
    public bool GoodBoy { get; set; }
}

/// <summary>A generic user type, closed over its arguments.</summary>
public sealed record Pair<TLeft, TRight>(TLeft Left, TRight Right);

[Remote]
public partial class Store
{
    private int _value;

    public Store(int value) => _value = value;

    public int Get() => _value;
}

/// <summary>Echo functions over every shape the serializer supports.</summary>
public static partial class Shapes
{
    [Remote] public static Job EchoJob(Job job) => job;
    [Remote] public static Settings EchoSettings(Settings settings) => settings;
    [Remote] public static Point EchoPoint(Point point) => point;
    [Remote] public static Point? EchoMaybePoint(Point? point) => point;
    [Remote] public static Color EchoColor(Color color) => color;
    [Remote] public static (int, string, double) EchoTuple((int, string, double) tuple) => tuple;
    [Remote] public static Tuple<int, string> EchoOldTuple(Tuple<int, string> tuple) => tuple;
    [Remote] public static double[] EchoDoubles(double[] values) => values;
    [Remote] public static long[,] EchoMatrix(long[,] values) => values;
    [Remote] public static float[,,] EchoCube(float[,,] values) => values;
    [Remote] public static string[][] EchoJagged(string[][] values) => values;
    [Remote] public static Job[,] EchoJobGrid(Job[,] jobs) => jobs;
    [Remote] public static byte[] EchoBytes(byte[] bytes) => bytes;
    [Remote] public static Dictionary<Color, List<Point>> EchoDictionary(Dictionary<Color, List<Point>> map) => map;
    [Remote] public static HashSet<Guid> EchoSet(HashSet<Guid> set) => set;
    [Remote] public static IReadOnlyList<decimal> EchoReadOnlyList(IReadOnlyList<decimal> values) => values;
    [Remote] public static IDictionary<string, int?> EchoInterfaceDictionary(IDictionary<string, int?> values) => values;
    [Remote] public static KeyValuePair<string, DateTime> EchoPair(KeyValuePair<string, DateTime> pair) => pair;
    [Remote] public static Pair<int, Job?> EchoGeneric(Pair<int, Job?> pair) => pair;
    [Remote] public static (DateTimeOffset, TimeSpan, Guid, char, bool) EchoScalars((DateTimeOffset, TimeSpan, Guid, char, bool) values) => values;
    [Remote] public static int OpenEnvelope(Envelope envelope) =>
        Ray.Get(envelope.Payload) + Ray.Get(envelope.Store.Get()) + envelope.More.Sum(r => Ray.Get(r).Length);
    [Remote] public static string Describe(Animal animal) => animal.Name;
    [Remote] public static bool IsSame(int[] values) => ReferenceEquals(values, Shared);

    public static int[]? Shared;
}
