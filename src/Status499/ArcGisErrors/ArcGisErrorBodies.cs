using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Status499.ArcGisErrors;

// Every error body in every format, encoded to UTF-8 once at startup: the request path only copies bytes.
internal sealed class ArcGisErrorBodies
{
    private const string OnlineMessageCode = "GWM_0003";
    private const string ForbiddenMessage = "You do not have permissions to access this resource or perform this operation.";
    private const string BadRequestMessage = "Unable to complete operation.";

    private readonly byte[][][] _bodies;
    private readonly ErrorDefinition[] _definitions;

    public ArcGisErrorBodies(ArcGisErrorSettings settings)
    {
        var online = settings.Dialect == ArcGisDialect.Online;
        var tokenRequired = settings.TokenRequiredMessage ?? "Token Required";
        var invalid = settings.InvalidTokenMessage ?? (online ? "Invalid token." : "Invalid Token");
        var forbidden = settings.ForbiddenMessage ?? ForbiddenMessage;

        _definitions =
        [
            // ArcGIS Online: {"code":499,"message":"Token Required","messageCode":"GWM_0003","details":["Token Required"]};
            // Enterprise: {"code":499,"message":"Token Required","details":[]} (docs/arcgis-contract.md §1a).
            new(499, "Token Required", tokenRequired, online ? OnlineMessageCode : null, online ? tokenRequired : null),
            new(498, "Invalid Token", invalid, null, null),
            new(403, "Forbidden", forbidden, online ? OnlineMessageCode : null, null),
            new(400, "Bad Request", BadRequestMessage, null, "A different token was sent in more than one place."),
            new(400, "Bad Request", BadRequestMessage, null, "More than one token was sent."),
            new(400, "Bad Request", BadRequestMessage, null, $"The token is longer than {settings.MaxTokenLength} characters."),
            new(400, "Bad Request", BadRequestMessage, null, "The X-Esri-Authorization or Authorization header is not 'Bearer <token>'."),
            new(400, "Bad Request", BadRequestMessage, null, "The form body could not be read."),
        ];

        var formats = Enum.GetValues<ArcGisErrorFormat>();
        _bodies = new byte[_definitions.Length][][];
        for (var i = 0; i < _definitions.Length; i++)
        {
            _bodies[i] = new byte[formats.Length][];
            foreach (var format in formats)
            {
                _bodies[i][(int)format] = Encode(_definitions[i], format);
            }
        }
    }

    public ReadOnlyMemory<byte> Body(ArcGisError error, ArcGisErrorFormat format) => _bodies[(int)error][(int)format];

    public int Code(ArcGisError error) => _definitions[(int)error].Code;

    public string ReasonPhrase(ArcGisError error) => _definitions[(int)error].ReasonPhrase;

    private static byte[] Encode(ErrorDefinition error, ArcGisErrorFormat format) => format switch
    {
        ArcGisErrorFormat.Json => ArcGisErrorJson(error, ArcGisJson.Compact),
        ArcGisErrorFormat.PrettyJson => ArcGisErrorJson(error, ArcGisJson.Indented),
        ArcGisErrorFormat.ProblemJson => ProblemJson(error),
        ArcGisErrorFormat.Html => Encoding.UTF8.GetBytes(
            $"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Error: {error.Code}</title></head>" +
            $"<body><h1>Error: {error.Code}</h1><p>{HtmlEncoder.Default.Encode(error.Message)}</p>" +
            (error.Detail is null ? string.Empty : $"<p>{HtmlEncoder.Default.Encode(error.Detail)}</p>") +
            "</body></html>\n"),
        _ => Encoding.UTF8.GetBytes($"{error.Code} {error.Message}{(error.Detail is null || error.Detail == error.Message ? string.Empty : " " + error.Detail)}\n"),
    };

    private static byte[] ArcGisErrorJson(ErrorDefinition error, JsonWriterOptions options)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, options))
        {
            ArcGisJson.WriteError(writer, error.Code, error.Message, error.MessageCode, error.Detail is null ? [] : [error.Detail]);
        }

        return buffer.ToArray();
    }

    // RFC 9457; "code" carries the ArcGIS code so clients of either format key on the same number.
    private static byte[] ProblemJson(ErrorDefinition error)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, ArcGisJson.Compact))
        {
            writer.WriteStartObject();
            writer.WriteString("type", "about:blank");
            writer.WriteString("title", error.ReasonPhrase);
            writer.WriteNumber("status", error.Code);
            writer.WriteString("detail", error.Detail is null || error.Detail == error.Message ? error.Message : error.Message + " " + error.Detail);
            writer.WriteNumber("code", error.Code);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private sealed record ErrorDefinition(int Code, string ReasonPhrase, string Message, string? MessageCode, string? Detail);
}
