using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.AspNetCore.Routing.Template;

namespace Status499.Tests.RouteSettings;

// The allocation-free prefix matcher must mean exactly what the framework's TemplateMatcher means, except that empty
// segments are ignored ("/a//b" is "/a/b"), so that a path with doubled slashes cannot slip past a pattern to an
// endpoint, fallback or proxy that accepts it.
public sealed class RoutePatternMatcherTests
{
    public static TheoryData<string, string> Cases()
    {
        string[] patterns =
        [
            "/arcgis/rest/services/{**path}", "/arcgis/rest/services", "/", "{**path}", "/api/{*rest}",
            "/items/{id}", "/items/{id}/details", "/files/{name}.{ext}", "/opt/{id?}",
        ];
        string[] paths =
        [
            "/", "", "/arcgis", "/arcgis/rest/services", "/arcgis/rest/services/", "/ARCGIS/Rest/Services/Demo/FeatureServer/0",
            "/arcgis/rest/servicesX", "/arcgis/rest/services//x", "/api", "/api/", "/api/a/b", "/apix", "/items/1", "/items/1/details",
            "/items/1/other", "/items", "/files/a.txt", "/files/a", "/opt", "/opt/3", "/opt/3/4", "//", "/api//", "//api/x", "/items//details",
        ];
        var data = new TheoryData<string, string>();
        foreach (var pattern in patterns)
        {
            foreach (var path in paths)
            {
                data.Add(pattern, path);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Matches_like_the_framework_TemplateMatcher_with_empty_segments_ignored(string pattern, string path)
    {
        var parsed = RoutePatternFactory.Parse(pattern);
        var framework = new TemplateMatcher(new RouteTemplate(parsed), new RouteValueDictionary(parsed.Defaults));
        var collapsed = System.Text.RegularExpressions.Regex.Replace(path, "/{2,}", "/");
        var expected = framework.TryMatch(new PathString(collapsed.Length == 0 ? null : collapsed), new RouteValueDictionary());

        new RoutePatternMatcher(parsed).IsMatch(new PathString(path.Length == 0 ? null : path))
            .Should().Be(expected);
    }
}
