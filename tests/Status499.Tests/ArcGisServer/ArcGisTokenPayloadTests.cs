using System.Buffers.Binary;

namespace Status499.Tests.ArcGisServer;

// The plaintext inside a signed token. Data Protection authenticates it, so a bad payload means a bug or a changed
// format rather than an attack; either way it is refused, never misread and never an exception.
public sealed class ArcGisTokenPayloadTests
{
    private static readonly ArcGisTokenPayload s_referer = new("alice", 1_750_000_000_000, TokenBindingKind.Referer, "https://app.example/");

    private static readonly ArcGisTokenPayload[] s_payloads =
    [
        new("alice", 1_750_000_000_000, TokenBindingKind.None, null),
        s_referer,
        new("ünïcødé 用户", long.MaxValue, TokenBindingKind.Ip, "2001:db8::1"),
        new(new string('u', ArcGisTokenPayload.MaxUsernameBytes), 0, TokenBindingKind.Referer, new string('r', ArcGisTokenPayload.MaxBindingBytes)),
    ];

    // Indexes, as the payload type is internal to the library.
    public static TheoryData<int> Payloads => [0, 1, 2, 3];

    [Theory]
    [MemberData(nameof(Payloads))]
    public void A_payload_reads_back_as_written(int index)
    {
        var payload = s_payloads[index];
        ArcGisTokenPayload.TryRead(payload.ToBytes(), out var read).Should().BeTrue();

        read.Should().Be(payload);
    }

    [Theory]
    [MemberData(nameof(Payloads))]
    public void Every_truncation_and_any_trailing_byte_is_refused(int index)
    {
        var bytes = s_payloads[index].ToBytes();

        for (var length = 0; length < bytes.Length; length++)
        {
            ArcGisTokenPayload.TryRead(bytes.AsSpan(0, length), out _).Should().BeFalse($"{length} of {bytes.Length} bytes");
        }

        ArcGisTokenPayload.TryRead([.. bytes, 0], out _).Should().BeFalse();
    }

    [Theory]
    [InlineData((byte)0)]
    [InlineData((byte)2)]
    [InlineData((byte)255)]
    public void Another_version_is_refused(byte version)
    {
        var bytes = s_referer.ToBytes();
        bytes[0] = version;

        ArcGisTokenPayload.TryRead(bytes, out _).Should().BeFalse();
    }

    [Fact]
    public void Changed_header_fields_are_refused()
    {
        var unknownBinding = s_referer.ToBytes();
        unknownBinding[9] = 3;
        var boundWithoutValue = new ArcGisTokenPayload("alice", 0, TokenBindingKind.None, null).ToBytes();
        boundWithoutValue[9] = (byte)TokenBindingKind.Ip;
        var usernameTooLong = s_referer.ToBytes();
        BinaryPrimitives.WriteUInt16BigEndian(usernameTooLong.AsSpan(10), ushort.MaxValue);
        var bindingLengthOff = s_referer.ToBytes();
        bindingLengthOff[12 + 5 + 1] ^= 1;

        foreach (var bytes in new[] { unknownBinding, boundWithoutValue, usernameTooLong, bindingLengthOff })
        {
            ArcGisTokenPayload.TryRead(bytes, out _).Should().BeFalse();
        }
    }

    [Fact]
    public void Garbage_is_refused_without_an_exception()
    {
        var random = new Random(499);
        var garbage = new List<byte[]> { Array.Empty<byte>(), new byte[ArcGisTokenPayload.MaxLength + 1], "eyJhbGciOiJIUzI1NiJ9"u8.ToArray() };
        for (var i = 0; i < 10_000; i++)
        {
            var bytes = new byte[random.Next(0, 64)];
            random.NextBytes(bytes);
            garbage.Add(bytes);
        }

        foreach (var bytes in garbage)
        {
            ArcGisTokenPayload.TryRead(bytes, out var read).Should().BeFalse(Convert.ToHexString(bytes));
            read.Should().Be(default(ArcGisTokenPayload));
        }
    }

    [Fact]
    public void A_payload_that_cannot_be_read_back_is_never_written()
    {
        FluentActions.Invoking(() => new ArcGisTokenPayload(new string('u', ArcGisTokenPayload.MaxUsernameBytes + 1), 0, TokenBindingKind.None, null).ToBytes())
            .Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => new ArcGisTokenPayload("alice", 0, TokenBindingKind.Referer, null).ToBytes())
            .Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => new ArcGisTokenPayload("alice", 0, TokenBindingKind.None, "value").ToBytes())
            .Should().Throw<ArgumentException>();
    }
}
