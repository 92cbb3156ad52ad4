// Public surface of src/hub: the Hugging Face cache layout and downloads. Lowest layer beside engine.
export {};
