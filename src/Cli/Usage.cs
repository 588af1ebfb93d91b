namespace GenRay.Cli;

/// <summary>What <c>genray --help</c> prints, and what follows every argument error.</summary>
internal static class Usage
{
    public const string Text = """
        Usage:
          genray start --head [--port 6380] [--node-ip-address IP] [start options]
          genray start --address HOST:PORT [--port N] [--node-ip-address IP] [start options]
          genray status [--address HOST:PORT] [--json]
          genray list nodes|actors|tasks|objects [--address HOST:PORT] [--json]
          genray stop [--force]

        Start options:
          --num-cpus N                   CPUs this node offers (default: all of this machine's)
          --resources name=amount,...    custom resources this node offers, e.g. gpu=1,ssd=2
          --block                        stay in the foreground until SIGTERM or Ctrl+C (containers)

        Cluster credentials (start, status, list), each overriding its environment variable:
          --token T                      the cluster's shared token (GENRAY_TOKEN)
          --tls-cert FILE --tls-key FILE this process's TLS certificate and key (GENRAY_TLS_CERT, GENRAY_TLS_KEY)
          --tls-ca FILE                  the CA peers' certificates are checked against (GENRAY_TLS_CA)

        status and list ask the head at --address, else GENRAY_ADDRESS, else the one started on this machine.
        stop ends what `genray start` started on this machine (SIGTERM, then SIGKILL after 10 s; --force: at once).
        Run records and logs are kept in $GENRAY_HOME (default ~/.genray).
        """;

    public static void Write(TextWriter writer) => writer.WriteLine(Text);
}
