bindery_fuzz(text DEPS bindery_smpp_text)
