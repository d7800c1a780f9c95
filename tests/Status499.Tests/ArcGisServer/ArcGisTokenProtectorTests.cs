using System.Text;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.WebUtilities;

namespace Status499.Tests.ArcGisServer;

// The token envelope: base64url of a Data Protection payload. Anything not protected by this key ring for this purpose
// is refused with false, never with an exception.
public sealed class ArcGisTokenProtectorTests
{
    private static readonly ArcGisTokenPayload s_payload = new("alice", 1_750_000_000_000, TokenBindingKind.Referer, "https://app.example/");

    private readonly EphemeralDataProtectionProvider _keyRing = new();

    [Fact]
    public void A_token_is_url_safe_and_reads_back()
    {
        var protector = new ArcGisTokenProtector(_keyRing);

        var token = protector.Protect(s_payload);

        token.Should().MatchRegex("^[A-Za-z0-9_-]+$");
        Uri.EscapeDataString(token).Should().Be(token);
        protector.TryUnprotect(token, out var read).Should().BeTrue();
        read.Should().Be(s_payload);
    }

    [Fact]
    public void Every_changed_byte_is_refused()
    {
        var protector = new ArcGisTokenProtector(_keyRing);
        var bytes = WebEncoders.Base64UrlDecode(protector.Protect(s_payload));

        for (var i = 0; i < bytes.Length; i++)
        {
            var copy = (byte[])bytes.Clone();
            copy[i] ^= 0x01;
            protector.TryUnprotect(WebEncoders.Base64UrlEncode(copy), out var read).Should().BeFalse($"byte {i} changed");
            read.Should().Be(default(ArcGisTokenPayload));
        }
    }

    [Fact]
    public void Every_truncation_is_refused()
    {
        var protector = new ArcGisTokenProtector(_keyRing);
        var bytes = WebEncoders.Base64UrlDecode(protector.Protect(s_payload));

        for (var length = 0; length < bytes.Length; length++)
        {
            protector.TryUnprotect(WebEncoders.Base64UrlEncode(bytes.AsSpan(0, length)), out _).Should().BeFalse($"{length} of {bytes.Length} bytes");
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("not-a-token")]
    [InlineData("static-dev-token")]
    [InlineData("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl")]
    [InlineData("CfDJ8AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("A")]
    [InlineData("AAAAA")]
    [InlineData("a+b/c=")]
    [InlineData("ä")]
    public void Garbage_is_refused(string token)
    {
        new ArcGisTokenProtector(_keyRing).TryUnprotect(token, out _).Should().BeFalse();
    }

    [Fact]
    public void Oversized_and_random_tokens_are_refused()
    {
        var protector = new ArcGisTokenProtector(_keyRing);
        var random = new Random(499);

        protector.TryUnprotect(protector.Protect(s_payload) + new string('A', 4096), out _).Should().BeFalse();
        for (var i = 0; i < 1000; i++)
        {
            var bytes = new byte[random.Next(1, 200)];
            random.NextBytes(bytes);
            protector.TryUnprotect(WebEncoders.Base64UrlEncode(bytes), out _).Should().BeFalse();
        }
    }

    [Fact]
    public void Another_key_ring_or_purpose_is_refused()
    {
        var token = new ArcGisTokenProtector(_keyRing).Protect(s_payload);
        var samePurposeElsewhere = new ArcGisTokenProtector(new EphemeralDataProtectionProvider());
        var otherPurpose = WebEncoders.Base64UrlEncode(_keyRing.CreateProtector("Some.Other.Purpose").Protect(s_payload.ToBytes()));

        samePurposeElsewhere.TryUnprotect(token, out _).Should().BeFalse();
        new ArcGisTokenProtector(_keyRing).TryUnprotect(otherPurpose, out _).Should().BeFalse();
    }

    [Fact]
    public void An_authentic_envelope_around_a_bad_payload_is_refused()
    {
        // Protected for the right purpose by the right key ring, but not a payload of this version.
        var dataProtector = _keyRing.CreateProtector(ArcGisTokenProtector.Purpose);
        var wrongVersion = s_payload.ToBytes();
        wrongVersion[0] = ArcGisTokenPayload.Version + 1;
        var protector = new ArcGisTokenProtector(_keyRing);

        foreach (var plaintext in new[] { wrongVersion, s_payload.ToBytes()[..^1], [], Encoding.UTF8.GetBytes("alice") })
        {
            protector.TryUnprotect(WebEncoders.Base64UrlEncode(dataProtector.Protect(plaintext)), out _).Should().BeFalse();
        }
    }
}
