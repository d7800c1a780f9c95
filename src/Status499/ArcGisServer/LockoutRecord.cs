using System.Buffers.Binary;

namespace Status499.ArcGisServer;

// The lockout state of one username as kept in the distributed cache: a version byte and three numbers, big-endian.
// Times are Unix milliseconds from the app's TimeProvider, so every instance of a farm reads them the same way.
// Failures counts attempts started in the current window, including those still being checked (see GenerateTokenLockout).
internal readonly record struct LockoutRecord(int Failures, long WindowStartMs, long LockedUntilMs)
{
    private const byte Version = 1;
    public const int Size = 21;

    // Anything unreadable (absent, another version, damaged) is a clean slate: one lost count, never a stuck lockout.
    public static LockoutRecord Decode(byte[]? value)
        => value is { Length: Size } && value[0] == Version
            ? new(BinaryPrimitives.ReadInt32BigEndian(value.AsSpan(1)),
                BinaryPrimitives.ReadInt64BigEndian(value.AsSpan(5)),
                BinaryPrimitives.ReadInt64BigEndian(value.AsSpan(13)))
            : default;

    public byte[] Encode()
    {
        var value = new byte[Size];
        value[0] = Version;
        BinaryPrimitives.WriteInt32BigEndian(value.AsSpan(1), Failures);
        BinaryPrimitives.WriteInt64BigEndian(value.AsSpan(5), WindowStartMs);
        BinaryPrimitives.WriteInt64BigEndian(value.AsSpan(13), LockedUntilMs);
        return value;
    }

    // The record as it stands at `now`: a finished lockout, or a window that ran out without one, starts over.
    public LockoutRecord At(long nowMs, long failureWindowMs)
        => LockedUntilMs != 0 ? (LockedUntilMs > nowMs ? this : default)
            : Failures > 0 && nowMs - WindowStartMs >= failureWindowMs ? default
            : this;

    // Locked while a lockout runs, and also once the attempts of the window are used up by attempts still being
    // checked: at most MaxFailedAttempts passwords are ever tried per window.
    public bool IsLockedOut(long nowMs, int maxFailedAttempts) => LockedUntilMs > nowMs || Failures >= maxFailedAttempts;

    public LockoutRecord WithAttempt(long nowMs) => new(Failures + 1, Failures == 0 ? nowMs : WindowStartMs, 0);

    // When the cache may forget the record: at the end of its lockout or of its window.
    public long ExpiresAtMs(long failureWindowMs) => LockedUntilMs != 0 ? LockedUntilMs : WindowStartMs + failureWindowMs;
}
