namespace Status499.Meanings;

// One shared instance per meaning, so conventions add no per-endpoint garbage.
internal sealed class Status499MeaningMetadata : IStatus499MeaningMetadata
{
    public static readonly Status499MeaningMetadata None = new(Status499Meaning.None);
    public static readonly Status499MeaningMetadata ClientClosedRequest = new(Status499Meaning.ClientClosedRequest);
    public static readonly Status499MeaningMetadata TokenRequired = new(Status499Meaning.TokenRequired);

    private Status499MeaningMetadata(Status499Meaning meaning) => Meaning = meaning;

    public Status499Meaning Meaning { get; }

    public static Status499MeaningMetadata For(Status499Meaning meaning) => meaning switch
    {
        Status499Meaning.None => None,
        Status499Meaning.ClientClosedRequest => ClientClosedRequest,
        Status499Meaning.TokenRequired => TokenRequired,
        _ => throw new ArgumentOutOfRangeException(nameof(meaning), meaning, "Unknown Status499Meaning."),
    };

    public override string ToString() => $"Status499Meaning = {Meaning}";
}
