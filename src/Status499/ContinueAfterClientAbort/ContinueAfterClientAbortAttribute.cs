namespace Status499;

/// <summary>
/// Lets an MVC controller or action finish its work when the client disconnects, for payments, writes and other work
/// that must not stop halfway: <c>HttpContext.RequestAborted</c> does not fire for the disconnect, but still fires on
/// server shutdown, on a <c>UseRequestTimeouts()</c> timeout, and <see cref="MaximumSeconds"/> after the client left.
/// An attribute on an action overrides one on its controller. See <see cref="IContinueAfterClientAbortMetadata"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = false, Inherited = true)]
public sealed class ContinueAfterClientAbortAttribute : Attribute, IContinueAfterClientAbortMetadata
{
    private double _maximumSeconds;

    /// <summary>
    /// How many seconds the work may go on after the client left; 0 (the default) for
    /// <see cref="Status499Options.DefaultContinueAfterClientAbortMaximum"/>. Must not be negative.
    /// </summary>
    public double MaximumSeconds
    {
        get => _maximumSeconds;
        set
        {
            if (!(value >= 0) || double.IsInfinity(value))
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "MaximumSeconds must be a positive number of seconds, or 0 for the default.");
            }

            _maximumSeconds = value;
        }
    }

    /// <inheritdoc />
    // Above the largest limit any value is lowered to the limit anyway; capping here keeps TimeSpan from overflowing.
    TimeSpan? IContinueAfterClientAbortMetadata.Maximum => _maximumSeconds > 0
        ? TimeSpan.FromSeconds(Math.Min(_maximumSeconds, Status499Options.MaxContinueAfterClientAbortLimit.TotalSeconds))
        : null;
}
