namespace Status499.Tests.RouteSettings;

// The path a lenient server behind a catch-all or a proxy would see; EncodedPathTests sends these spellings over a
// real socket to a TokenRequired pattern.
public sealed class LenientPathNormalizerTests
{
    [Theory]
    [InlineData("/arcgis/rest/services/Demo/FeatureServer/0/query")]
    [InlineData("/")]
    [InlineData("")]
    [InlineData("/a.b/c.json")]
    [InlineData("/files/report.v2.pdf")]
    [InlineData("/x-y_z~1")]
    public void Ordinary_paths_are_not_ambiguous(string path)
        => LenientPathNormalizer.IsAmbiguous(path).Should().BeFalse();

    // Request.Path as Kestrel hands it over for the spellings in EncodedPathTests.
    [Theory]
    [InlineData("/rest%2Fservices")]
    [InlineData("/rest;x/services")]
    [InlineData("/rest\\services")]
    [InlineData("/rest/services./x")]
    [InlineData("/rest/services ")]
    [InlineData("/rest/services.")]
    [InlineData("/rest\uFF0Fservices")]
    public void Spellings_a_lenient_server_reads_differently_are_ambiguous(string path)
        => LenientPathNormalizer.IsAmbiguous(path).Should().BeTrue();

    [Theory]
    [InlineData("/arcgis/rest%5Cservices/Demo", "/arcgis/rest/services/Demo")]
    [InlineData("/arcgis/rest;x=1;y/services./Demo", "/arcgis/rest/services/Demo")]
    [InlineData("/a/%252e%252e/b", "/b")]
    [InlineData("/a/b/..", "/a")]
    [InlineData("/../../a", "/a")]
    [InlineData("/a/./b//c", "/a/b/c")]
    [InlineData("/a/%zz/b", "/a/%zz/b")]
    public void Normalizes_as_a_lenient_server_would(string path, string expected)
        => LenientPathNormalizer.Normalize(path).Should().Be(expected);
}
