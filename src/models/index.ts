// Public surface of src/models. Other layers import only from this file.
export {};
