bindery_fuzz(session DEPS bindery_smpp_session)
