using System.Text;

namespace Healthcare.Api.Features.Admin;

/// <summary>
/// A page, or a part of one, kept as a file in its area's <c>Pages</c> folder and embedded in this assembly, so
/// the markup, styles and scripts are real files that editors and linters can read. Loaded once; its
/// <c>{{slot}}</c> markers are filled in one pass, so a value can never fill another slot.
/// </summary>
public sealed class PageTemplate
{
    // Literal text at even indexes, slot names at odd ones.
    private readonly string[] _parts;

    private PageTemplate(string[] parts) => _parts = parts;

    /// <summary>The text of <paramref name="file"/> in the <c>Pages</c> folder beside <paramref name="area"/>.</summary>
    public static string Read(Type area, string file)
    {
        var name = $"{area.Namespace}.Pages.{file}";
        using var stream = area.Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The page resource {name} is not embedded in {area.Assembly.GetName().Name}.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var text = reader.ReadToEnd();
        // The files end with a line break, as every text file here does; the pages are served without it.
        return text.EndsWith('\n') ? text[..^1] : text;
    }

    public static PageTemplate Load(Type area, string file)
    {
        var text = Read(area, file);
        var parts = new List<string>();
        var start = 0;
        while (text.IndexOf("{{", start, StringComparison.Ordinal) is var open and >= 0)
        {
            var close = text.IndexOf("}}", open, StringComparison.Ordinal);
            if (close < 0)
            {
                throw new InvalidOperationException($"The page resource {file} has an unclosed {{{{ at {open}.");
            }

            parts.Add(text[start..open]);
            parts.Add(text[(open + 2)..close]);
            start = close + 2;
        }

        parts.Add(text[start..]);
        return new PageTemplate([.. parts]);
    }

    /// <summary>The text with every slot replaced by its value, which the caller has already HTML-encoded.</summary>
    public string Render(params ReadOnlySpan<(string Slot, string Value)> values)
    {
        var text = new StringBuilder(_parts[0]);
        for (var i = 1; i < _parts.Length; i += 2)
        {
            text.Append(ValueOf(_parts[i], values)).Append(_parts[i + 1]);
        }

        return text.ToString();
    }

    private static string ValueOf(string slot, ReadOnlySpan<(string Slot, string Value)> values)
    {
        foreach (var value in values)
        {
            if (value.Slot == slot)
            {
                return value.Value;
            }
        }

        throw new InvalidOperationException($"No value for the page slot {slot}.");
    }
}
