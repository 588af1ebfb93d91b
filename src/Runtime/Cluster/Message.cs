namespace GenRay.Cluster;

/// <summary>
/// The messages GenRay processes exchange over a connection. A message is a MessagePack array whose first
/// element is its <see cref="MessageKind"/>; many are batched into one gRPC message (see <see cref="PeerConnection"/>).
/// </summary>
internal enum MessageKind : byte
{
    /// <summary>Worker → driver, first: <c>[pid, fingerprint of its remotes, protocol version]</c>; a driver → another job's driver, first: <c>[pid, jobId, protocol version]</c>.</summary>
    Hello = 1,

    /// <summary>Driver → worker, reply to Hello: <c>[driverOwnerId, workerIndex, strictSerialization]</c>.</summary>
    Welcome,

    /// <summary>Driver → worker: run a task on a lease, after the lease's earlier tasks. <c>[taskId, leaseId, resultId, methodId, args]</c>.</summary>
    ExecuteTask,

    /// <summary>Worker → driver: a task finished. <c>[taskId, run time in µs, outcome]</c>.</summary>
    TaskDone,

    /// <summary>Driver → worker: create an actor here. <c>[actorOwner, actorSeq, typeId, constructorId, args, maxConcurrency]</c>.</summary>
    CreateActor,

    /// <summary>Worker → driver: the constructor ran. <c>[actorOwner, actorSeq, error?]</c>.</summary>
    ActorCreated,

    /// <summary>Driver → worker: call a method of an actor here. <c>[callId, actorOwner, actorSeq, methodId, args]</c>.</summary>
    CallActor,

    /// <summary>Worker → driver: an actor call finished. <c>[callId, actorId, outcome]</c>.</summary>
    CallDone,

    /// <summary>Driver → worker: end an actor here. <c>[actorOwner, actorSeq, reason]</c>.</summary>
    KillActor,

    /// <summary>Worker → driver: a task submitted inside this worker. <c>[resultOwner, resultSeq, methodId, args, options]</c>.</summary>
    SubmitTask,

    /// <summary>Worker → driver: an actor created inside this worker. <c>[actorId, typeId, constructorId, args, options]</c>.</summary>
    SubmitActor,

    /// <summary>Worker → driver, or a driver → the driver owning a named actor: an actor call. <c>[resultId, actorId, methodId, args]</c>.</summary>
    SubmitCall,

    /// <summary>
    /// Worker → driver, or between two jobs' drivers: tell me when this object is ready, and where; driver → worker:
    /// the same, about a pending ref the worker sent that the driver does not know. <c>[objectId]</c>.
    /// </summary>
    Subscribe,

    /// <summary>
    /// An object is ready: driver → worker, between two jobs' drivers, a worker's answer to a call another worker sent
    /// it straight, and the outcome of a pending ref a worker sent to a process that could not know it (pushed by that
    /// worker once ready). <c>[objectId, outcome]</c>.
    /// </summary>
    ObjectReady,

    /// <summary>Worker → driver: this worker dropped its last reference to an object it borrowed. <c>[owner, seq, kind]</c>.</summary>
    Release,

    /// <summary>Driver → worker: nothing references this stored object any more. <c>[owner, seq, kind]</c>.</summary>
    Free,

    /// <summary>Worker → driver: a task is blocked waiting (its CPUs go back to the node). <c>[taskId]</c>.</summary>
    Blocked,

    /// <summary>Worker → driver: the blocked task resumed. <c>[taskId]</c>.</summary>
    Unblocked,

    /// <summary>Driver → worker: cancel a task. <c>[taskId, force]</c>.</summary>
    Cancel,

    /// <summary>Worker → driver: look up a named actor. <c>[requestId, name, namespace, actorClass]</c>.</summary>
    GetActor,

    /// <summary>Driver → worker: the answer. <c>[requestId, actorOwner, actorSeq, typeId, error?]</c>.</summary>
    ActorInfo,

    /// <summary>Worker → driver, or a driver → the driver owning a named actor: Ray.Kill. <c>[actorId, noRestart]</c>.</summary>
    KillRequest,

    /// <summary>Driver → worker: stop.</summary>
    Shutdown,

    /// <summary>Driver → worker: cancel a queued actor call. <c>[callId]</c>.</summary>
    CancelCall,

    /// <summary>Worker → driver: an actor hosted here died (its constructor threw). <c>[actorOwner, actorSeq, error]</c>.</summary>
    ActorDied,

    /// <summary>Worker → driver: cancel a task this worker's code submitted (Ray.Cancel, or its parent was cancelled). <c>[resultId, force]</c>.</summary>
    CancelSubmitted,

    /// <summary>
    /// Driver → worker: an actor this worker's code called lives at this address, so its next calls may go there
    /// straight (as SubmitCall on a control stream to that worker, answered with ObjectReady). <c>[actorId, address]</c>.
    /// </summary>
    ActorAt,

    /// <summary>Worker → driver: a lease of its own for tasks of this method its code submits (see <see cref="OwnLeases"/>). <c>[methodId]</c>.</summary>
    AskLease,

    /// <summary>Driver → worker: the lease asked for, held for the worker until it gives it back. <c>[leaseId, methodId]</c>.</summary>
    GrantLease,

    /// <summary>Driver → worker: no lease for this method: its tasks go through the driver. <c>[methodId, why]</c>.</summary>
    LeaseRefused,

    /// <summary>Worker → driver: a granted lease is idle and goes back. <c>[leaseId]</c>.</summary>
    ReturnLease,
}
