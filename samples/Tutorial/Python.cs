namespace Tutorial;

/// <summary>Prints values the way the seed's Python output shows them.</summary>
public static class Python
{
    public static string List<T>(IEnumerable<T> items) => "[" + string.Join(", ", items) + "]";

    public static string Quote(string text) => $"'{text}'";
}
