using System.Text.Json;
using EdgeRouter.Dispatch.Verification;

namespace EdgeRouter.Tests.Verification;

public class JsonSchemaValidatorTests
{
    private const string Person = """
        {
          "type": "object",
          "properties": {
            "name": { "type": "string", "minLength": 1, "maxLength": 10 },
            "age": { "type": "integer", "minimum": 0, "exclusiveMaximum": 150 },
            "email": { "type": ["string", "null"], "format": "email" },
            "role": { "enum": ["admin", "user"] },
            "kind": { "const": "person" },
            "tags": { "type": "array", "items": { "type": "string", "pattern": "^[a-z]+$" }, "minItems": 1, "maxItems": 3 },
            "address": { "$ref": "#/$defs/address" },
            "score": { "type": "number", "multipleOf": 0.5 }
          },
          "required": ["name", "age", "kind"],
          "additionalProperties": false,
          "$defs": {
            "address": {
              "type": "object",
              "properties": { "city": { "type": "string" }, "zip": { "anyOf": [ { "type": "string", "pattern": "^\\d{5}$" }, { "type": "null" } ] } },
              "required": ["city", "zip"],
              "additionalProperties": false
            }
          }
        }
        """;

    private static (bool Valid, string? Error) Check(string schema, string instance)
    {
        var valid = JsonSchemaValidator.Parse(schema).Validate(instance, out var error);
        return (valid, error);
    }

    [Fact]
    public void AConformingDocumentIsValid()
    {
        var (valid, error) = Check(Person, """
            {"name":"Ada","age":36,"email":null,"role":"admin","kind":"person","tags":["math"],
             "address":{"city":"London","zip":"12345"},"score":2.5}
            """);

        Assert.True(valid, error);
        Assert.Null(error);
    }

    [Theory]
    [InlineData("""{"age":1,"kind":"person"}""", "$: missing required property 'name'")]
    [InlineData("""{"name":"Ada","age":1,"kind":"person","extra":1}""", "$: property 'extra' is not allowed (additionalProperties is false)")]
    [InlineData("""{"name":5,"age":1,"kind":"person"}""", "$.name: expected string, got integer")]
    [InlineData("""{"name":"","age":1,"kind":"person"}""", "$.name: is 0 characters long, shorter than minLength 1")]
    [InlineData("""{"name":"Adalovelace!","age":1,"kind":"person"}""", "$.name: is 12 characters long, longer than maxLength 10")]
    [InlineData("""{"name":"Ada","age":1.5,"kind":"person"}""", "$.age: expected integer, got number")]
    [InlineData("""{"name":"Ada","age":-1,"kind":"person"}""", "$.age: -1 is less than minimum 0")]
    [InlineData("""{"name":"Ada","age":150,"kind":"person"}""", "$.age: 150 is not less than exclusiveMaximum 150")]
    [InlineData("""{"name":"Ada","age":1,"kind":"robot"}""", "$.kind: must be \"person\", got \"robot\"")]
    [InlineData("""{"name":"Ada","age":1,"kind":"person","role":"owner"}""", "$.role: \"owner\" is not one of [\"admin\", \"user\"]")]
    [InlineData("""{"name":"Ada","age":1,"kind":"person","email":"not-an-email"}""", "$.email: 'not-an-email' is not a valid email")]
    [InlineData("""{"name":"Ada","age":1,"kind":"person","tags":[]}""", "$.tags: has 0 items, fewer than minItems 1")]
    [InlineData("""{"name":"Ada","age":1,"kind":"person","tags":["a","b","c","d"]}""", "$.tags: has 4 items, more than maxItems 3")]
    [InlineData("""{"name":"Ada","age":1,"kind":"person","tags":["ok","Bad"]}""", "$.tags[1]: 'Bad' does not match pattern \"^[a-z]+$\"")]
    [InlineData("""{"name":"Ada","age":1,"kind":"person","address":{"city":"X"}}""", "$.address: missing required property 'zip'")]
    [InlineData("""{"name":"Ada","age":1,"kind":"person","address":{"city":"X","zip":"1"}}""", "$.address.zip: matches none of the 2 anyOf schemas")]
    [InlineData("""{"name":"Ada","age":1,"kind":"person","score":0.3}""", "$.score: 0.3 is not a multiple of 0.5")]
    [InlineData("""[1]""", "$: expected object, got array")]
    public void EachViolationIsReportedWithItsPath(string instance, string expected)
    {
        var (valid, error) = Check(Person, instance);

        Assert.False(valid);
        Assert.Equal(expected, error);
    }

    [Fact]
    public void ARecursiveReferenceToTheRootValidatesNestedValues()
    {
        const string tree = """
            { "type": "object", "properties": { "value": { "type": "integer" }, "children": { "type": "array", "items": { "$ref": "#" } } },
              "required": ["value", "children"], "additionalProperties": false }
            """;

        Assert.True(Check(tree, """{"value":1,"children":[{"value":2,"children":[]}]}""").Valid);
        Assert.Equal("$.children[0].children[0].value: expected integer, got string",
            Check(tree, """{"value":1,"children":[{"value":2,"children":[{"value":"x","children":[]}]}]}""").Error);
    }

    [Fact]
    public void DefinitionsAndJsonPointersResolve()
    {
        const string schema = """{ "definitions": { "a/b": { "type": "string" } }, "type": "object", "properties": { "x": { "$ref": "#/definitions/a~1b" } } }""";

        Assert.True(Check(schema, """{"x":"s"}""").Valid);
        Assert.Equal("$.x: expected string, got integer", Check(schema, """{"x":1}""").Error);
    }

    [Fact]
    public void AnUnresolvableReferenceFails()
    {
        Assert.Equal("$: cannot resolve $ref \"#/$defs/missing\"", Check("""{ "$ref": "#/$defs/missing" }""", "1").Error);
        Assert.Equal("$: cannot resolve $ref \"https://example.com/s.json\"", Check("""{ "$ref": "https://example.com/s.json" }""", "1").Error);
    }

    [Fact]
    public void ASelfReferenceWithoutProgressStopsAtTheDepthLimit()
    {
        var (valid, error) = Check("""{ "$ref": "#" }""", "1");

        Assert.False(valid);
        Assert.Contains("too deeply", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("integer", "1.0", true)]
    [InlineData("integer", "1e2", true)]
    [InlineData("number", "1", true)]
    [InlineData("boolean", "false", true)]
    [InlineData("null", "null", true)]
    [InlineData("string", "null", false)]
    public void TypesFollowJsonSchemaSemantics(string type, string instance, bool expected) =>
        Assert.Equal(expected, Check($$"""{ "type": "{{type}}" }""", instance).Valid);

    [Theory]
    [InlineData("date-time", "2024-05-01T12:30:00Z", true)]
    [InlineData("date-time", "2024-05-01T12:30:00.123+02:00", true)]
    [InlineData("date-time", "2024-05-01 12:30", false)]
    [InlineData("date", "2024-02-29", true)]
    [InlineData("date", "2023-02-29", false)]
    [InlineData("time", "23:59:59", true)]
    [InlineData("time", "24:00:00", false)]
    [InlineData("duration", "P1DT2H", true)]
    [InlineData("duration", "P", false)]
    [InlineData("uuid", "3f2504e0-4f89-11d3-9a0c-0305e82c3301", true)]
    [InlineData("uuid", "3f2504e0", false)]
    [InlineData("ipv4", "192.168.0.1", true)]
    [InlineData("ipv4", "256.1.1.1", false)]
    [InlineData("ipv6", "::1", true)]
    [InlineData("ipv6", "1.2.3.4", false)]
    [InlineData("hostname", "api.example.com", true)]
    [InlineData("hostname", "-bad-.com", false)]
    [InlineData("unknown-format", "anything", true)]
    public void FormatsAreChecked(string format, string value, bool expected) =>
        Assert.Equal(expected, Check($$"""{ "type": "string", "format": "{{format}}" }""", JsonSerializer.Serialize(value)).Valid);

    [Fact]
    public void LengthsCountCodePointsNotUtf16Units()
    {
        Assert.True(Check("""{ "type": "string", "maxLength": 2 }""", "\"😀😀\"").Valid);
        Assert.False(Check("""{ "type": "string", "maxLength": 1 }""", "\"😀😀\"").Valid);
    }

    [Fact]
    public void BooleanSchemasAllowOrForbidEverything()
    {
        Assert.True(Check("true", """{"a":1}""").Valid);
        Assert.Equal("$: no value is allowed here", Check("false", "1").Error);
        Assert.Equal("$.b: no value is allowed here", Check("""{ "properties": { "b": false } }""", """{"b":1}""").Error);
    }

    [Fact]
    public void AdditionalPropertiesCanBeASchema()
    {
        const string schema = """{ "type": "object", "additionalProperties": { "type": "number" } }""";

        Assert.True(Check(schema, """{"x":1,"y":2.5}""").Valid);
        Assert.Equal("$.y: expected number, got string", Check(schema, """{"x":1,"y":"2"}""").Error);
    }

    [Fact]
    public void TextThatIsNotJsonIsReportedAsSuch()
    {
        var (valid, error) = Check("""{ "type": "object" }""", "{\"a\":");

        Assert.False(valid);
        Assert.StartsWith("not JSON: ", error, StringComparison.Ordinal);
    }
}
