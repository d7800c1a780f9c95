using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.WebUtilities;
using Status499.ArcGisServer;

namespace Status499.Benchmarks;

// Issuing and checking one signed token: the Data Protection envelope the library uses against the single-key
// HMAC-SHA256 format it replaced (kept here only as the baseline). Both carry the same payload.
[MemoryDiagnoser]
public class SignedTokenBenchmarks
{
    private static readonly ArcGisTokenPayload s_payload = new("alice", 1_750_000_000_000, TokenBindingKind.Referer, "https://app.example/");

    private ArcGisTokenProtector _protector = null!;
    private string _protected = null!;
    private string _protectedTampered = null!;
    private string _hmac = null!;
    private string _hmacTampered = null!;

    [GlobalSetup]
    public void Setup()
    {
        // The same KeyRingBasedDataProtector and default AES-256-CBC + HMAC-SHA256 encryptor as a persisted key ring.
        _protector = new ArcGisTokenProtector(new EphemeralDataProtectionProvider());
        _protected = _protector.Protect(s_payload);
        _protectedTampered = Tamper(_protected);
        _hmac = HmacTokenFormat.Sign(s_payload);
        _hmacTampered = _hmac[..^2] + (_hmac[^2] == 'A' ? 'B' : 'A') + _hmac[^1];
    }

    [Benchmark(Baseline = true)]
    public string Hmac_issue() => HmacTokenFormat.Sign(s_payload);

    [Benchmark]
    public bool Hmac_validate() => HmacTokenFormat.TryRead(_hmac, out _);

    [Benchmark]
    public bool Hmac_validate_tampered() => HmacTokenFormat.TryRead(_hmacTampered, out _);

    [Benchmark]
    public string DataProtection_issue() => _protector.Protect(s_payload);

    [Benchmark]
    public bool DataProtection_validate() => _protector.TryUnprotect(_protected, out _);

    [Benchmark]
    public bool DataProtection_validate_tampered() => _protector.TryUnprotect(_protectedTampered, out _);

    // Token lengths for docs/benchmarks.md: `dotnet run -c Release --project tests/Status499.Benchmarks -- token-lengths`.
    public static void PrintTokenLengths()
    {
        var protector = new ArcGisTokenProtector(new EphemeralDataProtectionProvider());
        foreach (var payload in new ArcGisTokenPayload[]
        {
            new("alice", 1_750_000_000_000, TokenBindingKind.None, null),
            s_payload,
            new("alice", 1_750_000_000_000, TokenBindingKind.Ip, "203.0.113.7"),
        })
        {
            Console.WriteLine($"{payload.Binding,-8} {payload.BindingValue ?? "-",-22} payload {payload.ToBytes().Length,3} B   HMAC {HmacTokenFormat.Sign(payload).Length,3} chars   Data Protection {protector.Protect(payload).Length,3} chars");
        }
    }

    // One changed bit in the middle: the ciphertext, so Data Protection's MAC check fails.
    private static string Tamper(string token)
    {
        var bytes = WebEncoders.Base64UrlDecode(token);
        bytes[bytes.Length / 2] ^= 1;
        return WebEncoders.Base64UrlEncode(bytes);
    }

    // The previous format: base64url(payload) "." base64url(HMAC-SHA256(key, payload)), one random key per process.
    private static class HmacTokenFormat
    {
        private static readonly byte[] s_key = RandomNumberGenerator.GetBytes(32);

        public static string Sign(in ArcGisTokenPayload payload)
        {
            var bytes = payload.ToBytes();
            return WebEncoders.Base64UrlEncode(bytes) + "." + WebEncoders.Base64UrlEncode(HMACSHA256.HashData(s_key, bytes));
        }

        public static bool TryRead(string token, out ArcGisTokenPayload payload)
        {
            payload = default;
            var dot = token.IndexOf('.', StringComparison.Ordinal);
            if (dot <= 0)
            {
                return false;
            }

            byte[] bytes;
            byte[] mac;
            try
            {
                bytes = WebEncoders.Base64UrlDecode(token, 0, dot);
                mac = WebEncoders.Base64UrlDecode(token, dot + 1, token.Length - dot - 1);
            }
            catch (FormatException)
            {
                return false;
            }

            Span<byte> expected = stackalloc byte[32];
            HMACSHA256.HashData(s_key, bytes, expected);
            return CryptographicOperations.FixedTimeEquals(expected, mac) && ArcGisTokenPayload.TryRead(bytes, out payload);
        }
    }
}
