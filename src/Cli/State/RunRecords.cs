using System.Text.Json;

namespace GenRay.Cli.State;

/// <summary>The run records in a state directory: written by daemons when they serve, read by <c>status</c>, <c>list</c> and <c>stop</c>.</summary>
internal static class RunRecords
{
    public static void Write(StateDirectory state, RunRecord record)
    {
        Directory.CreateDirectory(state.Run);
        var path = state.RunFile(record.Pid);
        // Written aside and renamed into place: `genray start` polls for the file and must never read half of it.
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(record, RunRecordJson.Default.RunRecord));
        File.Move(temporary, path, overwrite: true);
    }

    public static RunRecord? Read(string path)
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(path), RunRecordJson.Default.RunRecord);
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Every record, newest first, with the files unreadable records came from (for <c>stop</c> to clear).</summary>
    public static List<(string Path, RunRecord? Record)> All(StateDirectory state)
    {
        if (!Directory.Exists(state.Run))
        {
            return [];
        }
        return Directory.EnumerateFiles(state.Run, "*.json")
            .Select(path => (path, Read(path)))
            .OrderByDescending(r => r.Item2?.Started ?? DateTimeOffset.MinValue)
            .ToList();
    }

    public static void Delete(StateDirectory state, int pid) => File.Delete(state.RunFile(pid));
}
