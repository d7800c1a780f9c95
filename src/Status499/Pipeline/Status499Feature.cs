using Status499.ClientClosed;
using Status499.Tokens;

namespace Status499.Pipeline;

// What the app and outer middleware read about a request that Status499 serves (IStatus499Feature). One per pooled
// request context; set on the request while it is served and removed before the context serves another.
internal sealed class Status499Feature : IStatus499Feature, ITokenCheckHolder
{
    public Status499Feature(Status499RequestContext request) => Request = request;

    public Status499RequestContext Request { get; }

    public Status499Meaning Meaning { get; set; }

    public ClientDisconnectPhase DisconnectPhase { get; set; }

    public TokenOutcome TokenOutcome => Request.TokenCheck?.Outcome ?? TokenOutcome.NotChecked;

    public TokenSource TokenSource => Request.TokenCheck?.Source ?? TokenSource.None;

    public TokenCheckState? TokenCheck => Request.TokenCheck;

    public bool ContinuesAfterClientAbort => Request.ContinuedWork.Maximum.HasValue;

    public RequestTermination Termination { get; set; }

    public TimeSpan? QueueWait { get; set; }

    public void Reset(Status499Meaning meaning)
    {
        Meaning = meaning;
        DisconnectPhase = ClientDisconnectPhase.None;
        Termination = RequestTermination.None;
        QueueWait = null;
    }
}
