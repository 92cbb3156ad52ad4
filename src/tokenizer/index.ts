// Public surface of src/tokenizer. Other layers import only from this file.
export {};
