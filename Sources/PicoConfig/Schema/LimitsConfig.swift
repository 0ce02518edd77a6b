import PicoSystem

/// `limits`: per-sender rate limits and daily budgets, checked before every model call. 0 disables a limit.
public struct LimitsConfig: Sendable, Equatable {
    /// `messages_per_minute` (default 0 = unlimited): messages one sender may send per minute.
    public let messagesPerMinute: Int
    /// `tokens_per_day` (default 0 = unlimited): prompt + completion tokens per sender per UTC day.
    public let tokensPerDay: Int
    /// `cost_per_day_usd` (default 0 = unlimited): spend per sender per UTC day, in US dollars.
    public let costPerDayUSD: Double
    /// `prices`: `"<model>=<input>/<output>"`, US dollars per million tokens, e.g. `"openai/gpt-4o=2.5/10"`.
    /// Used when the provider's response does not carry a cost.
    public let prices: [ModelPrice]

    /// Creates the section.
    public init(messagesPerMinute: Int = 0, tokensPerDay: Int = 0, costPerDayUSD: Double = 0, prices: [ModelPrice] = [])
    {
        self.messagesPerMinute = messagesPerMinute
        self.tokensPerDay = tokensPerDay
        self.costPerDayUSD = costPerDayUSD
        self.prices = prices
    }

    /// `true` when any limit is set.
    public var isEnabled: Bool { messagesPerMinute > 0 || tokensPerDay > 0 || costPerDayUSD > 0 }

    /// The price of `model` (the configured model id, e.g. `openai/gpt-4o`), if configured.
    public func price(of model: String) -> ModelPrice? { prices.first { $0.model == model } }
}

/// The price of one model in US dollars per million tokens.
public struct ModelPrice: Sendable, Equatable {
    /// The model id as configured (`openai/gpt-4o`).
    public let model: String
    /// Dollars per million prompt tokens.
    public let inputPerMillion: Double
    /// Dollars per million completion tokens.
    public let outputPerMillion: Double

    /// Creates a price.
    public init(model: String, inputPerMillion: Double, outputPerMillion: Double) {
        self.model = model
        self.inputPerMillion = inputPerMillion
        self.outputPerMillion = outputPerMillion
    }

    /// Parses `"<model>=<input>/<output>"`; `nil` when malformed or negative.
    public init?(parsing text: String) {
        guard let eq = text.lastIndex(of: "=") else { return nil }
        let model = String(text[..<eq]).trimmedSpaces
        let numbers = text[text.index(after: eq)...].split(separator: "/", omittingEmptySubsequences: false)
        guard !model.isEmpty, numbers.count == 2,
            let input = Double(String(numbers[0]).trimmedSpaces), let output = Double(String(numbers[1]).trimmedSpaces),
            input >= 0, output >= 0, input.isFinite, output.isFinite
        else { return nil }
        self.init(model: model, inputPerMillion: input, outputPerMillion: output)
    }

    /// The cost of a call in US dollars.
    public func cost(promptTokens: Int, completionTokens: Int) -> Double {
        (Double(promptTokens) * inputPerMillion + Double(completionTokens) * outputPerMillion) / 1_000_000
    }
}

extension ConfigSchema {
    /// A number as written in config text: `1` for 1.0, `0.5` otherwise.
    static func plain(_ v: Double) -> String { v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(v) }
}
