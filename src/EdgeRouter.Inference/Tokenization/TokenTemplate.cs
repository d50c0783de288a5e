namespace EdgeRouter.Inference.Tokenization;

/// <summary>
/// The special tokens a post-processor (TemplateProcessing, BertProcessing, RobertaProcessing) puts around one
/// sequence or a pair: fixed id runs before, between and after the sequences, with their type ids.
/// </summary>
internal sealed class TokenTemplate
{
    /// <summary>A template that adds nothing (no post-processor, or ByteLevel).</summary>
    public static readonly TokenTemplate Empty = new([], [], 0, [], [], [], 0, 1, []);

    /// <summary>Ids before the single sequence.</summary>
    public int[] SinglePrefix { get; }

    /// <summary>Ids after the single sequence.</summary>
    public int[] SingleSuffix { get; }

    /// <summary>Type id of the single sequence's tokens.</summary>
    public int SingleTypeId { get; }

    /// <summary>Ids before the first sequence of a pair.</summary>
    public int[] PairPrefix { get; }

    /// <summary>Ids between the two sequences of a pair.</summary>
    public int[] PairMiddle { get; }

    /// <summary>Ids after the second sequence of a pair.</summary>
    public int[] PairSuffix { get; }

    /// <summary>Type id of the first sequence's tokens in a pair.</summary>
    public int FirstTypeId { get; }

    /// <summary>Type id of the second sequence's tokens in a pair.</summary>
    public int SecondTypeId { get; }

    /// <summary>Type ids of <see cref="PairPrefix"/>, <see cref="PairMiddle"/> and <see cref="PairSuffix"/>, in order.</summary>
    public int[] PairSpecialTypeIds { get; }

    /// <summary>Creates a template.</summary>
    public TokenTemplate(
        int[] singlePrefix, int[] singleSuffix, int singleTypeId,
        int[] pairPrefix, int[] pairMiddle, int[] pairSuffix, int firstTypeId, int secondTypeId, int[] pairSpecialTypeIds)
    {
        SinglePrefix = singlePrefix;
        SingleSuffix = singleSuffix;
        SingleTypeId = singleTypeId;
        PairPrefix = pairPrefix;
        PairMiddle = pairMiddle;
        PairSuffix = pairSuffix;
        FirstTypeId = firstTypeId;
        SecondTypeId = secondTypeId;
        PairSpecialTypeIds = pairSpecialTypeIds;
    }

    /// <summary>BertProcessing: <c>[CLS] A [SEP]</c> and <c>[CLS] A [SEP] B [SEP]</c> (B and its [SEP] type 1).</summary>
    public static TokenTemplate Bert(int cls, int sep) =>
        new([cls], [sep], 0, [cls], [sep], [sep], 0, 1, [0, 0, 1]);

    /// <summary>RobertaProcessing: <c>&lt;s&gt; A &lt;/s&gt;</c> and <c>&lt;s&gt; A &lt;/s&gt;&lt;/s&gt; B &lt;/s&gt;</c>, all type 0.</summary>
    public static TokenTemplate Roberta(int cls, int sep) =>
        new([cls], [sep], 0, [cls], [sep, sep], [sep], 0, 0, [0, 0, 0, 0]);

    /// <summary>Number of special ids added to a single sequence.</summary>
    public int SingleCount => SinglePrefix.Length + SingleSuffix.Length;

    /// <summary>Number of special ids added to a pair.</summary>
    public int PairCount => PairPrefix.Length + PairMiddle.Length + PairSuffix.Length;

    /// <summary>True when the template adds no token at all.</summary>
    public bool IsEmpty => SingleCount == 0 && PairCount == 0;
}
