namespace EdgeRouter.Inference.Tokenization;

/// <summary>
/// Ids of a tokenizer's special tokens; -1 where the tokenizer has no such token.
/// </summary>
/// <param name="Cls">Sequence-start token: [CLS] for BERT-style models, the BOS token for decoder models.</param>
/// <param name="Sep">Sequence-end / separator token: [SEP] for BERT-style models, the EOS token for decoder models.</param>
/// <param name="Pad">Padding token.</param>
/// <param name="Unk">Unknown-word token.</param>
/// <param name="Mask">Mask token of masked-language models.</param>
public readonly record struct SpecialTokens(int Cls, int Sep, int Pad, int Unk, int Mask)
{
    /// <summary>No special tokens at all.</summary>
    public static SpecialTokens None => new(-1, -1, -1, -1, -1);

    /// <summary>Beginning-of-sequence token (same as <see cref="Cls"/>).</summary>
    public int Bos => Cls;

    /// <summary>End-of-sequence token (same as <see cref="Sep"/>).</summary>
    public int Eos => Sep;
}
