bindery_fuzz(receipt DEPS bindery_smpp_receipt)
