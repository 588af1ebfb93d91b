using GenRay;

namespace Tutorial;

/// <summary>The tutorial's remote functions, in the order the cells use them.</summary>
public static partial class Remotes
{
    /// <summary>In [2]: sleeps a second and returns its argument with the time it finished.</summary>
    [Remote]
    public static (int, double) F(int x)
    {
        Pace.Sleep(1);
        return (x, (DateTime.UtcNow - DateTime.UnixEpoch).TotalSeconds);
    }

    /// <summary>In [4]: a matrix of normally distributed random numbers, like <c>np.random.normal(size=size)</c>.</summary>
    [Remote]
    public static double[,] CreateMatrix(int[] size)
    {
        var (rows, columns) = (size[0], size[1]);
        var matrix = new double[rows, columns];
        for (var i = 0; i < rows; i++)
        {
            for (var j = 0; j < columns; j++)
            {
                matrix[i, j] = Random.Shared.NextGaussian();
            }
        }
        return matrix;
    }

    /// <summary>In [4]: the matrix product, like <c>np.dot(x, y)</c>.</summary>
    [Remote]
    public static double[,] MultiplyMatrices(double[,] x, double[,] y) => Matrix.Dot(x, y);

    /// <summary>In [19]: sleeps a second and adds (<c>y</c> defaults to 0, as <c>y if y else 0</c> does).</summary>
    [Remote]
    public static int Add(int x, int y = 0)
    {
        Pace.Sleep(1);
        return x + y;
    }

    /// <summary>In [21]: pushes ten messages to the message actor, one a second.</summary>
    [Remote]
    public static void Worker(ActorHandle<MessageActor> messageActor, int j)
    {
        ObjectRef last = default!;
        for (var i = 0; i < 10; i++)
        {
            Pace.Sleep(1);
            last = messageActor.AddMessage($"MSG {i} by WKR {j}.");
        }
        // As in Ray, an actor runs one caller's calls in the order made, but calls from different callers are not
        // ordered: the driver's last read could reach the actor before this worker's last message. Returning once
        // that message has run (and so every one before it) makes "Ray.Get(pushers)" mean "every message is in".
        Ray.Get(last);
    }
}
