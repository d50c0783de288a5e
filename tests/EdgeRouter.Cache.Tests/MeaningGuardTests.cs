namespace EdgeRouter.Cache.Tests;

public class MeaningGuardTests
{
    [Theory]
    [InlineData("is it safe to eat raw eggs", "is it not safe to eat raw eggs")]
    [InlineData("Can I use this library in production?", "I can't use this library in production?")]
    [InlineData("should I ever restart the server", "should I never restart the server")]
    [InlineData("is there a way to log in with a passkey", "is there no way to log in with a passkey")]
    public void RejectsANegationFlip(string query, string cached)
    {
        Assert.False(MeaningGuard.Compatible(query, cached, out var reason));
        Assert.Equal("negation differs", reason);
        Assert.False(MeaningGuard.Compatible(cached, query, out _));
    }

    [Theory]
    [InlineData("how do I enable 2fa", "how do I disable 2fa", "enable", "disable")]
    [InlineData("How do I increase the font size?", "How do I decrease the font size?", "increase", "decrease")]
    [InlineData("what is the best way to encrypt a file", "what is the best way to decrypt a file", "encrypt", "decrypt")]
    [InlineData("sort the rows in ascending order", "sort the rows in descending order", "ascending", "descending")]
    [InlineData("should I buy bitcoin now", "should I sell bitcoin now", "buy", "sell")]
    [InlineData("which team won the final", "which team lost the final", "won", "lost")]
    public void RejectsOppositeWords(string query, string cached, string word, string opposite)
    {
        Assert.False(MeaningGuard.Compatible(query, cached, out var reason));
        Assert.Equal($"opposite words: '{word}' / '{opposite}'", reason);
        Assert.False(MeaningGuard.Compatible(cached, query, out _));
    }

    [Theory]
    [InlineData("What is 15% of 200?", "What is 15% of 300?")]
    [InlineData("convert 3.5 miles to km", "convert 35 miles to km")]
    [InlineData("what is 1,000 divided by 8", "what is 1,000 divided by 9")]
    [InlineData("give me three tips for sleeping better", "give me five tips for sleeping better")]
    [InlineData("what changed in gpt-4", "what changed in gpt-5")]
    [InlineData("how do I cut the recipe in half", "how do I double the recipe")]
    [InlineData("gifts for an eight-year-old girl", "gifts for a nine-year-old girl")]
    public void RejectsDifferentNumbers(string query, string cached)
    {
        Assert.False(MeaningGuard.Compatible(query, cached, out var reason));
        Assert.Equal("different numbers", reason);
    }

    [Theory]
    [InlineData("what is the weather like tomorrow", "what is the weather like today")]
    [InlineData("which holidays are in december", "which holidays are in november")]
    [InlineData("is the office open on saturday", "is the office open on sunday")]
    [InlineData("book a table for the 3rd of May", "book a table for the 3rd of March")]
    [InlineData("the verdict is due in mid-February", "the verdict is due in mid-March")]
    public void RejectsDifferentDates(string query, string cached)
    {
        Assert.False(MeaningGuard.Compatible(query, cached, out var reason));
        Assert.Equal("different dates", reason);
    }

    [Theory]
    [InlineData("how may I reset my password", "how can I reset my password")]
    [InlineData("May I change my delivery address", "can I change my delivery address")]
    [InlineData("wait a second, how do I undo a commit", "how do I undo a commit")]
    [InlineData("once I log in how do I find my invoices", "after logging in how do I find my invoices")]
    public void WordsThatOnlyLookLikeDatesOrNumbersDoNotCount(string query, string cached)
    {
        Assert.True(MeaningGuard.Compatible(query, cached, out var reason), reason);
        Assert.True(MeaningGuard.Compatible(cached, query, out _));
    }

    [Theory]
    [InlineData("What is the population of Paris?", "What is the population of Berlin?")]
    [InlineData("How do I deploy to AWS?", "How do I deploy to GCP?")]
    [InlineData("who is the CEO of Microsoft", "who is the CEO of Google")]
    [InlineData("the storm hit the mid-Texas coast", "the storm hit the mid-California coast")]
    [InlineData("Compare Python and Rust for web servers", "Compare Python and Go for web servers")]
    public void RejectsDifferentNames(string query, string cached)
    {
        Assert.False(MeaningGuard.Compatible(query, cached, out var reason));
        Assert.Equal("different names", reason);
        Assert.False(MeaningGuard.Compatible(cached, query, out _));
    }

    [Theory]
    [InlineData("How do I reset my password?", "how can I reset my password")]
    [InlineData("What's the best way to learn French?", "what is the best way to learn French")]
    [InlineData("What is the capital of France?", "what is the capital of france")]
    [InlineData("WHAT IS THE CAPITAL OF FRANCE", "What is the capital of France?")]
    [InlineData("explain recursion   to a child!!", "Explain recursion to a child.")]
    [InlineData("give me three tips for sleeping better", "give me 3 tips for sleeping better")]
    [InlineData("why can't I log in", "why can I not log in")]
    [InlineData("how do I turn on dark mode", "how can I switch on dark mode")]
    [InlineData("Is it safe to eat raw eggs? I'm worried.", "is it safe to eat eggs raw")]
    public void AcceptsGenuineParaphrases(string query, string cached)
    {
        Assert.True(MeaningGuard.Compatible(query, cached, out var reason), reason);
        Assert.Equal("", reason);
        Assert.True(MeaningGuard.Compatible(cached, query, out _));
    }

    [Fact]
    public void AWordThatBothTextsContainIsNotAnOpposite()
    {
        // "on" and "off" both appear in both questions: nothing flips.
        Assert.True(MeaningGuard.Compatible("what is the difference between on and off", "explain the difference between off and on", out var reason), reason);
    }

    [Fact]
    public void ANameAtTheStartOfASentenceIsComparedLikeAnyOtherWord()
    {
        Assert.False(MeaningGuard.Compatible("Tell me about Lisbon. Lisbon is nice.", "Tell me about Madrid. Madrid is nice.", out _));
        Assert.True(MeaningGuard.Compatible("Paris: what should I see?", "What should I see in Paris?", out var reason), reason);
    }
}
