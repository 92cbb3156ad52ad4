// Public surface of src/train. Other layers import only from this file.
export {};
