using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using GenRay.Tests.Support;

namespace GenRay.Tests.Cluster;

/// <summary>A cluster whose every connection is TLS (certificate files given to the tool), and a driver that trusts its CA.</summary>
[Collection(ClusterCollection.Name)]
public sealed class TlsTests : RayTest
{
    private static readonly string[] Variables = ["GENRAY_TLS_CERT", "GENRAY_TLS_KEY", "GENRAY_TLS_CA"];

    private readonly string _files = Directory.CreateTempSubdirectory("genray-tls-").FullName;
    private readonly TestCluster _cluster;

    public TlsTests()
    {
        var (certificate, key) = SelfSigned(_files);
        string[] tls = ["--tls-cert", certificate, "--tls-key", key, "--tls-ca", certificate];
        _cluster = new TestCluster(["--num-cpus", "1", .. tls], ["--tls-ca", certificate], (["--num-cpus", "1", .. tls], null));
        Environment.SetEnvironmentVariable("GENRAY_TLS_CERT", certificate); // the driver serves its own values over TLS too
        Environment.SetEnvironmentVariable("GENRAY_TLS_KEY", key);
        Environment.SetEnvironmentVariable("GENRAY_TLS_CA", certificate);
    }

    protected override void Configure(RayOptions options)
    {
        Environment.SetEnvironmentVariable("GENRAY_TOKEN", TestCluster.Token);
        options.NumCpus = null;
        options.Address = _cluster.Address;
    }

    protected override void AfterShutdown()
    {
        foreach (var variable in Variables)
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
        _cluster.Dispose();
        Directory.Delete(_files, recursive: true);
    }

    [Fact]
    public void Tasks_actors_and_objects_work_over_TLS_and_a_plaintext_client_gets_nowhere()
    {
        Start();

        var put = Ray.Put(Enumerable.Repeat((byte)2, 1 << 20).ToArray());
        Assert.Equal(2L << 20, Ray.Get(ClusterRemotes.Remote.SumThere(put), TimeSpan.FromSeconds(60)).Sum);
        var made = Enumerable.Range(0, 4).Select(i => ClusterRemotes.Remote.Filled(1 << 20, (byte)i)).ToList();
        Assert.Equal([0L, 1L << 20, 2L << 20, 3L << 20], Ray.Get(made.Select(m => ClusterRemotes.Remote.SumThere(m)).ToList(), TimeSpan.FromSeconds(60)).Select(r => r.Sum));
        var counter = NodeCounter.Remote.New();
        Assert.Equal(1, Ray.Get(counter.Next(), TimeSpan.FromSeconds(60)));

        var (exit, output) = Cli.Run(_cluster.Home, TestCluster.Token, ["status", "--address", _cluster.Address], check: false); // no --tls-ca: plaintext
        Assert.NotEqual(0, exit);
        Assert.DoesNotContain("ALIVE", output);
    }

    private static (string Certificate, string Key) SelfSigned(string directory)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=genray-test-cluster", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var certificatePath = Path.Combine(directory, "cluster.crt");
        var keyPath = Path.Combine(directory, "cluster.key");
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return (certificatePath, keyPath);
    }
}
