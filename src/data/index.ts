// Public surface of src/data. Other layers import only from this file.
export {};
