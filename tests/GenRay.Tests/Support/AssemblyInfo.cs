// GenRay has one runtime per process (Ray.Init / Ray.Shutdown), so tests that start it run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
