namespace GenRay.Cluster.Nodes;

/// <summary>
/// The head's table of named actors (Ray's GCS actor table, by name): which job's actor holds a name in a
/// namespace, and where its owner (the job's driver) takes calls. A name is claimed when its actor is created and
/// is unique across the cluster within its namespace; it goes when the actor dies or its job ends. Another job's
/// driver finds the actor here and sends its calls to the owner.
/// </summary>
/// <remarks>Not thread-safe: the head calls it under its own lock.</remarks>
internal sealed class NamedActors
{
    private readonly Dictionary<(string Namespace, string Name), NamedActor> _names = [];

    /// <summary>
    /// Claims <paramref name="actor"/>'s name; a name another job's actor holds is refused, saying whose it is. One
    /// the same job holds is taken over: the job checked its own names first, so its old actor is dead and only
    /// its drop (sent in the background) has not arrived yet.
    /// </summary>
    public void Claim(NamedActor actor)
    {
        if (_names.TryGetValue((actor.Namespace, actor.Name), out var holder) && !holder.SameActor(actor) && holder.JobId != actor.JobId)
        {
            throw new RayException(
                $"An actor named '{actor.Name}' already exists in namespace '{actor.Namespace}' ({holder.Class} of {holder.JobId}). " +
                $"Names are unique per namespace across the cluster: pick another name, or use Ray.GetActor to reach it.");
        }
        _names[(actor.Namespace, actor.Name)] = actor;
    }

    public NamedActor? Find(string @namespace, string name) => _names.GetValueOrDefault((@namespace, name));

    /// <summary>Drops the name if <paramref name="actor"/> still holds it (a newer actor may hold it by now).</summary>
    public void Drop(NamedActor actor)
    {
        if (_names.TryGetValue((actor.Namespace, actor.Name), out var holder) && holder.SameActor(actor))
        {
            _names.Remove((actor.Namespace, actor.Name));
        }
    }

    /// <summary>A job ended: its actors died with it, and their names are free again.</summary>
    public void DropJob(string jobId)
    {
        foreach (var key in _names.Where(n => n.Value.JobId == jobId).Select(n => n.Key).ToList())
        {
            _names.Remove(key);
        }
    }
}
