namespace Status499.Gateway;

// The gateway could not get, or keep, a token of the service behind it: its sign-in failed, or the service refused the
// token it gave. YARP reports it as the forwarder's Request error (IForwarderErrorFeature.Exception), and
// ForwarderErrorHandling answers 502 with ClientDetail, which names neither a credential nor a token (the message
// names the cluster, for the log; YARP logs it).
internal sealed class UpstreamSignInException : HttpRequestException
{
    public UpstreamSignInException(string message, string clientDetail)
        : base(message)
        => ClientDetail = clientDetail;

    public string ClientDetail { get; }
}
