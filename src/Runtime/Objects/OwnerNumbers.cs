using System.Collections.Concurrent;

namespace GenRay;

/// <summary>
/// Numbers the owners (processes) of the objects this process has refs to, so a ref keeps a small number in a word
/// it has anyway instead of the owner's 64-bit id (see <see cref="ObjectRef"/>). Process-wide and never forgotten:
/// a process meets a handful of owners (itself, its driver, its workers, a cluster's nodes), one number each.
/// </summary>
internal static class OwnerNumbers
{
    private const int Limit = 1 << 27; // what a ref's word has room for

    private static readonly ConcurrentDictionary<ulong, int> s_numbers = new();
    private static readonly Lock s_adding = new();
    private static ulong[] s_owners = new ulong[16];
    private static int s_count;

    /// <summary>The number of <paramref name="owner"/>, given it on first sight.</summary>
    public static int Of(ulong owner) => s_numbers.TryGetValue(owner, out var number) ? number : Add(owner);

    /// <summary>The owner numbered <paramref name="number"/> by <see cref="Of"/>.</summary>
    public static ulong At(int number) => Volatile.Read(ref s_owners)[number];

    private static int Add(ulong owner)
    {
        lock (s_adding)
        {
            if (s_numbers.TryGetValue(owner, out var known))
            {
                return known;
            }
            var number = s_count;
            if (number == Limit)
            {
                throw new RayException($"This process has met {Limit} object owners (processes), more than a ref can name.");
            }
            var owners = s_owners;
            if (number == owners.Length)
            {
                Array.Resize(ref owners, number * 2);
            }
            owners[number] = owner;
            Volatile.Write(ref s_owners, owners); // published before the number is: whoever has the number can read it
            s_count = number + 1;
            s_numbers[owner] = number;
            return number;
        }
    }
}
