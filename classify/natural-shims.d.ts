// natural ships typings only for its package root, which we must not import (it runs dotenv and loads
// database drivers); these cover the three CommonJS submodules the text pipeline uses.
declare module 'natural/lib/natural/stemmers/porter_stemmer_ru.js' {
  const PorterStemmerRu: {
    stem(token: string): string;
    tokenizeAndStem(text: string, keepStops?: boolean): string[];
  };
  export default PorterStemmerRu;
}

declare module 'natural/lib/natural/tokenizers/aggressive_tokenizer_ru.js' {
  export default class AggressiveTokenizerRu {
    tokenize(text: string): string[];
  }
}

declare module 'natural/lib/natural/util/stopwords_ru.js' {
  export const words: string[];
  const _default: { words: string[] };
  export default _default;
}
