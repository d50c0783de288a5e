using System.Text;
using System.Text.Json;

namespace EdgeRouter.Protocol;

/// <summary>Reads the text of a chat message's <c>content</c> value.</summary>
public static class MessageContent
{
    /// <summary>
    /// Reads the <c>content</c> value <paramref name="reader"/> is positioned on and returns its text: the string itself,
    /// or the <c>text</c> of every <c>type: text</c> part joined by newlines; any other value gives "". The reader is
    /// left on the value's last token.
    /// </summary>
    /// <param name="reader">A reader positioned on the value.</param>
    /// <param name="plain">False when the content has a part that is not text (an image, audio, a file).</param>
    public static string ReadText(ref Utf8JsonReader reader, out bool plain)
    {
        plain = true;
        if (reader.TokenType == JsonTokenType.String)
        {
            return reader.GetString() ?? "";
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return "";
        }

        var text = new StringBuilder();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                plain = false;
                continue;
            }

            string? type = null;
            string? partText = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isType = reader.ValueTextEquals("type"u8);
                var isText = reader.ValueTextEquals("text"u8);
                reader.Read();
                if (isType && reader.TokenType == JsonTokenType.String)
                {
                    type = reader.GetString();
                }
                else if (isText && reader.TokenType == JsonTokenType.String)
                {
                    partText = reader.GetString();
                }
                else
                {
                    reader.Skip();
                }
            }

            if (type == "text")
            {
                text.Append(text.Length > 0 ? "\n" : "").Append(partText);
            }
            else
            {
                plain = false;
            }
        }

        return text.ToString();
    }
}
