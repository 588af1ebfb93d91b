using GenRay;

namespace Tutorial;

/// <summary>In [46]: the Adder actor.</summary>
[Remote]
public partial class Adder
{
    private int _x;
    private int _y;
    private int _sum;

    public Adder(int? x = null, int? y = null)
    {
        _x = x ?? 0;
        _y = y ?? 0;
        _sum = _x + _y;
    }

    public void Clear()
    {
        _x = 0;
        _y = 0;
        _sum = _x + _y;
    }

    public int GetSum() => _sum;

    public int Add(int? x = null, int? y = null)
    {
        _x = x ?? 0;
        _y = y ?? 0;
        _sum += _x + _y;
        return _sum;
    }
}

/// <summary>In [28]: the Counter actor.</summary>
[Remote]
public partial class Counter
{
    private int _x;

    public Counter(int x) => _x = x;

    public void Inc() => _x += 1;

    public int GetValue() => _x;
}

/// <summary>In [21]: an actor that stores messages.</summary>
[Remote]
public partial class MessageActor
{
    private List<string> _messages = [];

    public void AddMessage(string message) => _messages.Add(message);

    public List<string> GetAndClearMessages()
    {
        var messages = _messages;
        _messages = [];
        return messages;
    }
}
