namespace GenRay.Tests.Cluster;

/// <summary>The cluster execution mode: the driver (this test process) connects to the shared test cluster.</summary>
public static class ClusterMode
{
    public static void Configure(RayOptions options, ClusterFixture cluster)
    {
        Environment.SetEnvironmentVariable("GENRAY_TOKEN", ClusterFixture.Token);
        options.NumCpus = null; // the cluster's nodes say how many CPUs there are
        options.Address = cluster.Address;
    }
}

[Collection(ClusterCollection.Name)]
public sealed class ActorTestsCluster(ClusterFixture cluster) : Actors.ActorTests
{
    protected override void Configure(RayOptions options) => ClusterMode.Configure(options, cluster);
}

[Collection(ClusterCollection.Name)]
public sealed class DependencyTestsCluster(ClusterFixture cluster) : Tasks.DependencyTests
{
    protected override void Configure(RayOptions options) => ClusterMode.Configure(options, cluster);
}

[Collection(ClusterCollection.Name)]
public sealed class ObjectTestsCluster(ClusterFixture cluster) : Tasks.ObjectTests
{
    protected override void Configure(RayOptions options) => ClusterMode.Configure(options, cluster);
}

[Collection(ClusterCollection.Name)]
public sealed class GetAndWaitTestsCluster(ClusterFixture cluster) : Tasks.GetAndWaitTests
{
    protected override void Configure(RayOptions options) => ClusterMode.Configure(options, cluster);
}

[Collection(ClusterCollection.Name)]
public sealed class ErrorTestsCluster(ClusterFixture cluster) : Tasks.ErrorTests
{
    protected override void Configure(RayOptions options) => ClusterMode.Configure(options, cluster);
}
