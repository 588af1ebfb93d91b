// GenRay's generic worker host. A driver that is not itself a GenRay application (a test runner, say) starts
// workers with this program: it loads every assembly the driver's remotes come from, runs their generated
// registrations, and becomes a worker (Ray.Init in a worker process serves until the driver is done, then exits).
using System.Reflection;
using System.Runtime.CompilerServices;
using GenRay;

var paths = (Environment.GetEnvironmentVariable("GENRAY_WORKER_ASSEMBLIES") ?? "")
    .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
foreach (var path in paths)
{
    var assembly = Assembly.LoadFrom(path);
    RuntimeHelpers.RunModuleConstructor(assembly.ManifestModule.ModuleHandle);
}

Ray.Init();
return 0;
