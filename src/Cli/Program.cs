// The genray command: start and stop a GenRay cluster's daemons on this machine, and ask a cluster what it runs.
using GenRay.Cli;

return CommandLine.Run(args, CliContext.FromProcess());
