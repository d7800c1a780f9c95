using System.Globalization;
using System.Text;

namespace Status499.ArcGisServer;

// Folds a username to the form the lockout counts under, at least as loosely as the user stores it may sit in front of
// match names, so that no spelling a store accepts as the same account gets a fresh count. Folding too much only makes
// two accounts share a count (more lockouts, never fewer); folding too little lets an attacker guess around it.
//   - surrounding white space (Unicode White_Space): SQL `=` ignores trailing spaces (PAD SPACE), forms often trim;
//   - format characters (Unicode Cf: zero-width space and joiners, soft hyphen, BOM), which many collations ignore;
//   - NFKC: full-width letters, ligatures, `ſ` (U+017F) to `s`, the Kelvin sign to `K`, and composed `é` for `e` + U+0301;
//   - case, upper then lower: ASP.NET Core Identity's UpperInvariantLookupNormalizer, case-insensitive collations,
//     and the final sigma `ς` (upper-cased to `Σ`, lowered to `σ`); `ß` and `ẞ` to `ss` as full case folding does;
//   - diacritics (non-spacing marks after canonical decomposition): accent-insensitive collations such as MySQL's
//     default utf8mb4_0900_ai_ci match `josé` with `jose`.
// Look-alikes from other scripts (Cyrillic `а` for Latin `a`) are distinct names in every store and are left distinct.
// With InvariantGlobalization, string.Normalize returns its input and ToUpperInvariant maps only simple pairs (`ſ`
// stays): the folding is then weaker, as SECURITY.md says, and the app's NormalizeUsername has to make up for it.
internal static class UsernameFolding
{
    public static string Fold(string username)
    {
        var text = Normalize(username.Trim(), NormalizationForm.FormKC).ToUpperInvariant().ToLowerInvariant();
        var decomposed = Normalize(text, NormalizationForm.FormD);
        var folded = new StringBuilder(decomposed.Length);
        foreach (var c in decomposed)
        {
            switch (CharUnicodeInfo.GetUnicodeCategory(c))
            {
                case UnicodeCategory.NonSpacingMark:
                case UnicodeCategory.Format:
                    continue;
                default:
                    if (c is 'ß' or 'ẞ')
                    {
                        folded.Append("ss");
                    }
                    else
                    {
                        folded.Append(c);
                    }

                    break;
            }
        }

        return Normalize(folded.ToString(), NormalizationForm.FormKC).Trim();
    }

    // A string with a lone surrogate cannot be normalised (ArgumentException); a form decoder never produces one, and
    // one that gets here is counted as it is (UTF-8 encoding turns it into U+FFFD) rather than failing the request.
    private static string Normalize(string text, NormalizationForm form)
    {
        try
        {
            return text.Normalize(form);
        }
        catch (ArgumentException)
        {
            return text;
        }
    }
}
