import type { ChatMessage, GenerationRequest } from '../inference.types';
import type { ChatWrapper, LlamaModel, LlamaText, NodeLlamaCppModule, Token } from './node-llama-cpp';

export interface RenderedPrompt {
  /** Prompt tokens without the beginning-of-sequence token (node-llama-cpp prepends it). */
  tokens: Token[];
  /** Total prompt tokens as the model sees them, BOS included. */
  promptTokens: number;
  /** The chat template's end-of-turn triggers, for node-llama-cpp (special tokens such as EOS). */
  stopTriggers: LlamaText[];
  /** Stop sequences matched on the streamed text: the request's `stop` and the template's plain-text triggers. */
  stopStrings: string[];
}

/**
 * Turns a request into the exact tokens the model evaluates. Chat messages go through the model's own chat template
 * when its GGUF has one; a base model without one (stories260k) gets node-llama-cpp's GeneralChatWrapper, a plain-text
 * transcript (`### Human` / `### Assistant`) a completion model continues naturally, with stop triggers on the next
 * turn's header so it never writes the user's part.
 */
export class PromptRenderer {
  private readonly chatWrapper: ChatWrapper;
  private readonly bosToken: Token | undefined;

  constructor(
    nodeLlamaCpp: NodeLlamaCppModule,
    private readonly model: LlamaModel,
  ) {
    const hasTemplate = typeof model.fileInfo.metadata.tokenizer?.chat_template === 'string';
    this.chatWrapper =
      (hasTemplate ? nodeLlamaCpp.resolveChatWrapper(model, { warningLogs: false }) : null) ?? new nodeLlamaCpp.GeneralChatWrapper();
    // Mirrors node-llama-cpp's resolveBeginningTokenToPrepend, which LlamaCompletion applies to every input.
    const vocabulary = model.vocabularyType;
    const prependsBos =
      vocabulary !== nodeLlamaCpp.LlamaVocabularyType.rwkv &&
      vocabulary !== nodeLlamaCpp.LlamaVocabularyType.ugm &&
      (vocabulary === nodeLlamaCpp.LlamaVocabularyType.wpm || model.tokens.shouldPrependBosToken);
    this.bosToken = prependsBos && model.tokens.bos !== null ? model.tokens.bos : undefined;
  }

  get chatWrapperName(): string {
    return this.chatWrapper.wrapperName;
  }

  /** The full token sequence the context will hold for this prompt, BOS included (for prefix matching). */
  withBos(tokens: readonly Token[]): Token[] {
    return this.bosToken === undefined ? [...tokens] : [this.bosToken, ...tokens];
  }

  render(request: Pick<GenerationRequest, 'messages' | 'prompt' | 'stop'>): RenderedPrompt {
    const userStops = request.stop ?? [];
    if (request.messages !== undefined) {
      const state = this.chatWrapper.generateContextState({ chatHistory: toChatHistory(request.messages) });
      let tokens = state.contextText.tokenize(this.model.tokenizer, 'trimLeadingSpace');
      if (this.bosToken !== undefined && tokens[0] === this.bosToken) tokens = tokens.slice(1);
      const plainTriggers = state.stopGenerationTriggers
        .filter((trigger) => trigger.values.every((value) => typeof value === 'string'))
        .map((trigger) => trigger.toString());
      return {
        tokens,
        promptTokens: this.count(tokens),
        stopTriggers: state.stopGenerationTriggers,
        stopStrings: [...new Set([...plainTriggers, ...userStops])],
      };
    }
    const tokens = this.tokenizeText(request.prompt ?? '');
    return { tokens, promptTokens: this.count(tokens), stopTriggers: [], stopStrings: [...userStops] };
  }

  /** Tokenizes plain text the way LlamaCompletion does for a string input. */
  tokenizeText(text: string): Token[] {
    return this.model.tokenize(text, false, 'trimLeadingSpace');
  }

  count(tokens: readonly Token[]): number {
    return tokens.length + (this.bosToken === undefined ? 0 : 1);
  }
}

type ChatHistory = Parameters<ChatWrapper['generateContextState']>[0]['chatHistory'];

function toChatHistory(messages: readonly ChatMessage[]): ChatHistory {
  const history: ChatHistory[number][] = messages.map((message) => {
    switch (message.role) {
      case 'system':
        return { type: 'system', text: message.content };
      case 'user':
        return { type: 'user', text: message.content };
      case 'assistant':
        return { type: 'model', response: [message.content] };
    }
  });
  // An empty model turn at the end asks the template for the assistant's header: the model writes the reply there.
  history.push({ type: 'model', response: [] });
  return history;
}
