using System.Globalization;
using System.Text;

namespace Appliance.Audit;

/// <summary>
/// Makes record text safe to print on a terminal: a bot controls most fields of a refused request, and a
/// raw newline would forge a line of <c>audit tail</c>, an ESC sequence would drive the terminal, a
/// bidi override would reorder what the operator reads. Backslash, C0 and C1 controls, DEL, line and
/// paragraph separators, bidi controls and lone surrogates become visible escapes (<c>\n</c>, <c>\e</c>,
/// <c>\x07</c>, <c>\u202e</c>, <c>\\</c>); everything else is printed as it is.
/// </summary>
public static class AuditText
{
    public static string Escape(string? text)
    {
        if (string.IsNullOrEmpty(text)) return text ?? "";
        if (!NeedsEscape(text)) return text;
        var sb = new StringBuilder(text.Length + 16);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                sb.Append(c).Append(text[++i]);
                continue;
            }
            switch (c)
            {
                case '\\': sb.Append(@"\\"); break;
                case '\n': sb.Append(@"\n"); break;
                case '\r': sb.Append(@"\r"); break;
                case '\t': sb.Append(@"\t"); break;
                case '\u001b': sb.Append(@"\e"); break;
                default:
                    if (c < 0x20 || c == 0x7f) sb.Append(@"\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
                    else if (IsUnsafe(c)) sb.Append(@"\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else sb.Append(c);
                    break;
            }
        }
        return sb.ToString();
    }

    private static bool NeedsEscape(string text)
    {
        foreach (var c in text)
            if (c is '\\' or < ' ' or '\u007f' || IsUnsafe(c)) return true;
        return false;
    }

    private static bool IsUnsafe(char c) =>
        c is >= '\u0080' and <= '\u009f'                 // C1 controls (CSI is 0x9b)
          or '\u2028' or '\u2029'                        // line and paragraph separators
          or '\u061c' or '\u200e' or '\u200f'            // bidi marks
          or >= '\u202a' and <= '\u202e'                 // bidi embeddings and overrides
          or >= '\u2066' and <= '\u2069'                 // bidi isolates
          || char.IsSurrogate(c);                        // reached only when not part of a valid pair
}
