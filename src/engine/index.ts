// Public surface of src/engine. Other layers import only from this file.
export {};
