namespace Status499.ContinueAfterClientAbort;

// Added by the ContinueAfterClientAbort endpoint convention. One shared instance for the default maximum.
internal sealed class ContinueAfterClientAbortMetadata : IContinueAfterClientAbortMetadata
{
    public static readonly ContinueAfterClientAbortMetadata Default = new(null);

    public ContinueAfterClientAbortMetadata(TimeSpan? maximum) => Maximum = maximum;

    public TimeSpan? Maximum { get; }

    public override string ToString() => Maximum is { } maximum ? $"ContinueAfterClientAbort, at most {maximum}" : "ContinueAfterClientAbort";
}
